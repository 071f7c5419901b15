"""Real background workers for the PostgreSQL tests: a `manage.py db_worker` process on the test's
own database, as production runs it (README, "Background work")."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def child_env(**extra: str) -> dict:
    """The environment of a worker or command run by a test: this test's database, the database
    queue, the machine's real clock (ADOPTBOARD_TEST_CLOCK dropped), and `extra` on top."""
    db = connection.settings_dict
    url = "postgres://{}:{}@{}:{}/{}".format(
        quote(db["USER"] or "postgres"),
        quote(db["PASSWORD"] or ""),
        db["HOST"] or "127.0.0.1",
        db["PORT"] or 5432,
        db["NAME"],
    )
    env = {k: v for k, v in os.environ.items() if k != "ADOPTBOARD_TEST_CLOCK"}
    return env | {
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


@contextlib.contextmanager
def db_worker(env: dict, log_path: Path):
    """A `db_worker` polling every 0.2 s; stopped on exit, its log printed for a failing test."""
    log = open(log_path, "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        manage("db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        print(log.read())
        log.close()
