#!/usr/bin/env python
"""What serving papers from object storage costs a worker, beside local disk.

    python bench/storage.py                  # 20 MB and 1 MB papers, 5 rounds each (about a minute)

Starts a local S3-compatible server (moto's `moto_server`, in its own process so its memory is not
counted here), then, in a fresh process for each storage (this disk; the bucket), uploads a paper
through the agenda page's form and downloads it through the access-checked view with Django's test
client, as a member. Reported per storage and size: the median upload and download times, the
time to the response's first byte, the download's peak Python memory (tracemalloc), and the
files left open (the storage spools a download over 5 MB to a temporary file, which must be
closed, and so gone, when the response closes). Loopback only: the times say what the app adds, not what a
real network costs.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
SIZES_MB = (1, 20)
ROUNDS = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def open_files() -> set[str]:
    """What this process holds open (a temporary file is unnamed on Linux: only its descriptor shows)."""
    fds = Path("/proc/self/fd")
    return {f"{fd.name}:{os.readlink(fd)}" for fd in fds.iterdir() if fd.exists()}


def measure(label: str) -> dict:
    """In the child process: settings come from the environment the parent set."""
    import datetime
    import hashlib
    import random
    import tracemalloc

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adoptboard.settings")
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from meetings.models import Board, Membership, Paper, Person, Role
    from meetings.services import meeting_schedule

    board = Board.objects.create(name="Bench board", slug="bench-board")
    users = {}
    for role in (Role.SECRETARY, Role.MEMBER):
        user = get_user_model().objects.create_user(username=role, password="x")
        person = Person.objects.create(user=user, full_name=role.title(), initials=role[:2].upper())
        Membership.objects.create(board=board, person=person, role=role)
        users[role] = user
    meeting = meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    item = meeting.items.order_by("position")[1]
    editor, reader = Client(), Client()
    editor.force_login(users[Role.SECRETARY])
    reader.force_login(users[Role.MEMBER])
    upload_url = reverse("meetings:paper-add", args=[board.slug, meeting.pk, item.pk])
    results = {}
    for size_mb in SIZES_MB:
        content = b"%PDF-1.7\n" + random.Random(size_mb).randbytes(size_mb * 1024 * 1024 - 9)
        uploads, downloads, first_bytes, peaks, left = [], [], [], [], []
        for round_ in range(ROUNDS):
            before = open_files()
            started = time.perf_counter()
            response = editor.post(
                upload_url,
                {
                    f"paper-{item.pk}-title": f"{size_mb} MB {round_}",
                    f"paper-{item.pk}-file": SimpleUploadedFile("annex.pdf", content),
                },
            )
            assert response.status_code == 302, response.status_code
            uploads.append(time.perf_counter() - started)
            paper = Paper.objects.get(item=item, title=f"{size_mb} MB {round_}")
            tracemalloc.start()
            started = time.perf_counter()
            response = reader.get(paper.get_absolute_url())
            chunks = iter(response.streaming_content)
            received = hashlib.sha256(next(chunks))  # the bytes are checked, not kept
            first_bytes.append(time.perf_counter() - started)
            for chunk in chunks:
                received.update(chunk)
            response.close()
            downloads.append(time.perf_counter() - started)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            assert received.digest() == hashlib.sha256(content).digest()
            left.append(len(open_files() - before))
        results[f"{size_mb} MB"] = {
            "upload_ms": round(statistics.median(uploads) * 1000),
            "download_ms": round(statistics.median(downloads) * 1000),
            "first_byte_ms": round(statistics.median(first_bytes) * 1000),
            "download_peak_mb": round(max(peaks) / 1024 / 1024, 1),
            "files_left_open": sum(left),
        }
    return {"storage": label, "results": results}


def child(storage: str, environ: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(environ)
    result = subprocess.run(
        [sys.executable, __file__, "--child", storage], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import boto3

        credentials = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2", **credentials)
        for _ in range(100):
            try:
                s3.create_bucket(Bucket="bench-papers", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
                break
            except Exception:  # the server is still starting
                time.sleep(0.1)
        runs = []
        with tempfile.TemporaryDirectory() as tmp:
            common = {"DEBUG": "1", "MEDIA_ROOT": f"{tmp}/media", "AXES_ENABLED": "0"}
            runs.append(child("local disk", {**common, "DATABASE_URL": f"sqlite:///{tmp}/local.sqlite3"}))
            bucket = {
                "AWS_STORAGE_BUCKET_NAME": "bench-papers",
                "AWS_S3_ENDPOINT_URL": endpoint,
                "AWS_S3_REGION_NAME": "eu-west-2",
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
            }
            runs.append(
                child("object storage (moto)", {**common, **bucket, "DATABASE_URL": f"sqlite:///{tmp}/s3.sqlite3"})
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{ROUNDS} rounds each, medians; loopback, {os.cpu_count()} cores")
    print("| storage | paper | upload ms | download ms | first byte ms | download peak MB | files left open |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for run in runs:
        for size, r in run["results"].items():
            print(
                f"| {run['storage']} | {size} | {r['upload_ms']} | {r['download_ms']} | {r['first_byte_ms']} "
                f"| {r['download_peak_mb']} | {r['files_left_open']} |"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
    else:
        main()
