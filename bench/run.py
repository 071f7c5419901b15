#!/usr/bin/env python
"""AdoptBoard's benchmark: a busy installation's pages on SQLite and PostgreSQL, beside their floors.

    python bench/run.py                      # SQLite and PostgreSQL, full run (about 15 minutes)
    python bench/run.py --quick              # CI-sized: fewer repetitions, 2 turns of 5 s load runs
    python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/adoptboard_bench

Prerequisites: the project's venv (`make install`), wrk (`apt-get install -y wrk`), and for the
PostgreSQL half a server where the URL's role may create databases. The database named in a URL
is DROPPED and recreated, so its name must contain "bench"; SQLite runs in a temporary file.

For each backend and each data set (small, then large — see bench/data.py) a worker process
creates a fresh database, migrates it, generates the data, and measures in-process with Django's
test client, logged in as the big board's secretary: every page's server time and query count,
measured in turns with its floor (page, floor, page, floor, ...: a busy moment on the shared
machine lands on both), reported as the median, the middle half (p25-p75) and the median of the
per-pair ratios. Floors: a bare view of the same 50 action rows; a bare form of the review's 300
rows; WeasyPrint on a static document of the agenda's size; the 10,000 rows written by csv with
nothing else. Then the time and queries of saving a review of every open action. On the large
data set it serves the app with gunicorn (2 sync workers, loopback only) and loads it with wrk in
turns: the action log cycling through 400 varied URLs (pages across the whole log, searches,
filters; a Lua script), then the bare view, and again; the meeting page likewise. No page is
cached. Results (with the spread) go to bench/results.json, a table to stdout, and the table
into docs/PERFORMANCE.md between its "bench:results" markers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/adoptboard_bench"
RESULTS = ROOT / "bench" / "results.json"
PERFORMANCE_MD = ROOT / "docs" / "PERFORMANCE.md"
MARK_START, MARK_END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

try:  # run with the project's venv whatever `python` started us
    import django  # noqa: F401
except ImportError:
    if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

sys.path.insert(0, str(ROOT))

# Repetitions: (HTML pages, exports and PDF, review saves), and seconds of load per URL.
# Load: seconds per wrk run, and how many page/floor pairs (A B A B ...).
FULL = {"pages": 30, "files": 10, "saves": 5, "budget": 20.0, "load": 10, "pairs": 4}
QUICK = {"pages": 8, "files": 3, "saves": 2, "budget": 6.0, "load": 5, "pairs": 2}


# =============================================================================================
# The orchestrator: one worker process per backend and data set (Django's settings are per process)
# =============================================================================================


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: fewer repetitions, 2 turns of 5 s load runs")
    parser.add_argument(
        "--database-url",
        action="append",
        dest="urls",
        metavar="URL",
        help="benchmark only this database (repeatable); default: a temporary SQLite file and " + DEFAULT_PG,
    )
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn + wrk throughput runs")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the table in docs/PERFORMANCE.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: size to run
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    tmp = Path(tempfile.mkdtemp(prefix="adoptboard-bench-"))
    urls = args.urls or [f"sqlite:///{tmp}/bench.sqlite3", DEFAULT_PG]
    for url in urls:
        if backend_of(url) == "postgresql" and "bench" not in url.rsplit("/", 1)[-1]:
            parser.error(f"the database in {url} will be dropped and recreated: its name must contain 'bench'")
    if not args.no_load and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk), or pass --no-load")

    started = time.time()
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "quick": args.quick,
        "machine": machine(),
        "backends": {},
    }
    try:
        for url in urls:
            backend = backend_of(url)
            results["backends"][backend] = {"url": re.sub(r"//[^@/]*@", "//", url)}
            for size in ("small", "large"):
                out = tmp / f"{backend}-{size}.json"
                cmd = [sys.executable, __file__, "--worker", size, "--out", str(out), "--database-url", url]
                cmd += (
                    ["--quick"] * args.quick
                    + ["--no-load"] * (args.no_load or size == "small")
                    + ["--keep"] * args.keep
                )
                print(f"\n=== {backend}, {size} data set ===", flush=True)
                proc = subprocess.run(cmd, cwd=ROOT)
                if proc.returncode != 0 or not out.exists():
                    print(f"!! the {backend} {size} worker failed (exit {proc.returncode})", flush=True)
                    results["backends"][backend][size] = {"failed": proc.returncode}
                    continue
                results["backends"][backend][size] = json.loads(out.read_text())
                if backend == "postgresql" and "server_version" in results["backends"][backend][size]:
                    results["machine"]["postgresql"] = results["backends"][backend][size]["server_version"]
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    results["seconds"] = round(time.time() - started, 1)
    results["goals"] = goals(results)
    table = markdown(results)
    print("\n" + table)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    if not args.no_docs and PERFORMANCE_MD.exists():
        text = PERFORMANCE_MD.read_text()
        if MARK_START in text and MARK_END in text:
            head, rest = text.split(MARK_START, 1)
            _, tail = rest.split(MARK_END, 1)
            PERFORMANCE_MD.write_text(f"{head}{MARK_START}\n{table}\n{MARK_END}{tail}")
            print(f"updated the table in {PERFORMANCE_MD.relative_to(ROOT)}")
    return 0 if all(g["met"] for g in results["goals"]) else 1


def machine() -> dict:
    import sqlite3

    import django

    info = {
        "nproc": os.cpu_count(),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "memory_gb": round(
            int(
                next(
                    line.split()[1]
                    for line in Path("/proc/meminfo").read_text().splitlines()
                    if line.startswith("MemTotal")
                )
            )
            / 1024
            / 1024,
            1,
        ),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    for name, module in (("gunicorn", "gunicorn"), ("weasyprint", "weasyprint")):
        try:
            info[name] = __import__(module).__version__
        except Exception:
            info[name] = None
    if shutil.which("wrk"):
        first = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
        info["wrk"] = first[0].split(" [")[0] if first else None
    return info


# =============================================================================================
# Reporting
# =============================================================================================

ROWS = [  # (key, label)
    ("dashboard", "Dashboard `/`"),
    ("board", "Board page"),
    ("meeting", "Meeting page (next meeting)"),
    ("review", "Action-log review, 300 open actions"),
    ("review_vs_its_floor", "Action-log review, against a bare form of the same 300 rows"),
    ("log", "Action log, first page"),
    ("log_filtered", "Action log, ?status=open&responsible="),
    ("log_search", "Action log, ?q= text search"),
    ("log_deep_page", "Action log, a page in the middle (?page=100)"),
    ("action", "One action with its history"),
    ("my_actions", "`/my/actions/`"),
    ("board_settings", "Board settings"),
    ("board_people", "Board people"),
    ("account", "Account page"),
    ("export_csv", "CSV export, 10,000 actions (streamed)"),
    ("export_xlsx", "Excel export, 10,000 actions (streamed)"),
    ("agenda_pdf", "Agenda PDF"),
    ("review_save", "Save the review of 300 actions (POST)"),
    ("bare", "*Floor: bare view, same 50 rows*"),
    ("bare_review", "*Floor: bare review form, same 300 rows*"),
    ("csv_floor", "*Floor: 10,000 rows to CSV, no view*"),
    ("pdf_floor", "*Floor: WeasyPrint, static agenda-sized HTML*"),
]


def _ms(value):
    return "—" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown(results: dict) -> str:
    backends = [b for b in ("sqlite", "postgresql") if b in results["backends"]]
    head = "| Page |" + "".join(
        f" {b}: median ms | p25–p75 ms | queries (small / large) | × floor (median of pairs) |" for b in backends
    )
    lines = [head, "|---|" + "---:|---:|---:|---:|" * len(backends)]
    for key, label in ROWS:
        cells = []
        for b in backends:
            large = results["backends"][b].get("large", {}).get("pages", {}).get(key)
            small = results["backends"][b].get("small", {}).get("pages", {}).get(key)
            if not large or large.get("skipped"):
                note = (large or {}).get("skipped", "not run")
                cells.append(f" skipped: {note} | | | |")
                continue
            ratio = ""
            if "ratio_median" in large:
                ratio = (
                    f"{large['ratio_median']:.2f}× {large['floor']} ({large['ratio_p25']:.2f}–{large['ratio_p75']:.2f})"
                )
            q_small = small.get("queries") if small and not small.get("skipped") else "—"
            queries = "" if large.get("queries") is None else f"{q_small} / {large['queries']}"
            middle = f"{_ms(large.get('p25_ms'))}–{_ms(large.get('p75_ms'))}" if "p25_ms" in large else ""
            cells.append(f" {_ms(large['median_ms'])} | {middle} | {queries} | {ratio} |")
        lines.append(f"| {label} |" + "".join(cells))
    load = []
    for b in backends:
        for target, run in results["backends"][b].get("large", {}).get("load", {}).items():
            if "requests_per_s" in run:
                load.append(
                    f"| {b} | {target} ({run['urls']} URLs) | {run['requests_per_s']:.1f} "
                    f"({run['requests_per_s_min']:.0f}–{run['requests_per_s_max']:.0f}) | "
                    f"{run['floor_requests_per_s']:.1f} | **{run['ratio_median']:.2f}** ({', '.join(map(str, run['ratios']))}) | "
                    f"{run['p50_ms']:.0f} | {run['p99_ms']:.0f} | {run['requests']} | {run['non_2xx']} | {run['socket_errors']} |"
                )
            else:
                load.append(f"| {b} | {target} | failed: {run.get('error')} | | | | | | | |")
    if load:
        large0 = results["backends"][backends[0]].get("large", {})
        lines += [
            "",
            "Throughput: gunicorn, 2 sync workers, loopback; wrk, 2 threads, 20 connections, logged in; "
            f"{large0.get('load_pairs', '?')} turns of {large0.get('load_seconds', '?')} s for the page, each followed "
            "by the same for the bare view (A B A B); the log cycles through its list of URLs (pages across the "
            "whole log, searches, filters) in a fixed shuffled order.",
            "",
            "| Backend | URL | requests/s median (min–max) | bare view req/s | ratio, median (each pair) | p50 ms | p99 ms | requests | non-2xx | socket errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *load,
        ]
    lines += ["", "Goals:", ""]
    lines += [
        f"- {'met' if g['met'] else '**not met**'}: {g['goal']} — {g['detail']}" for g in results.get("goals", [])
    ]
    m = results["machine"]
    lines += [
        "",
        f"Machine: {m.get('nproc')} × {m.get('cpu')}, {m.get('memory_gb')} GB, load average {m.get('load', '?')} at the start "
        f"(shared with other engineers' work); Python {m.get('python')}, "
        f"Django {m.get('django')}, SQLite {m.get('sqlite')}, PostgreSQL {m.get('postgresql', '—')}, "
        f"gunicorn {m.get('gunicorn')}, WeasyPrint {m.get('weasyprint')}, {m.get('wrk')}. "
        f"Run {results['started']}{' (--quick)' if results['quick'] else ''}, {results.get('seconds', '?')} s.",
    ]
    return "\n".join(lines)


def goals(results: dict) -> list[dict]:
    out = []

    def add(goal, met, detail):
        out.append({"goal": goal, "met": bool(met), "detail": detail})

    for b, data in results["backends"].items():
        large, small = data.get("large", {}), data.get("small", {})
        if "pages" not in large or "pages" not in small:
            add(f"{b}: the benchmark ran", False, "a worker failed")
            continue
        differ = []
        for key, row in large["pages"].items():
            other = small["pages"].get(key, {})
            if (
                row.get("queries") is not None
                and other.get("queries") is not None
                and row["queries"] != other["queries"]
            ):
                differ.append(f"{key} {other['queries']}→{row['queries']}")
        skipped = [k for k, r in large["pages"].items() if r.get("skipped")]
        add(
            f"{b}: every page's query count is the same for the small and the large data set",
            not differ and not skipped,
            ("differ: " + ", ".join(differ))
            if differ
            else "all equal" + (f" (skipped: {', '.join(skipped)})" if skipped else ""),
        )
        pdf = large["pages"].get("agenda_pdf", {})
        add(
            f"{b}: agenda PDF ≤ 1.5× the static WeasyPrint floor",
            pdf.get("ratio_median") is not None and pdf["ratio_median"] <= 1.5,
            f"{_ms(pdf.get('median_ms'))} ms, {pdf.get('ratio_median')}× (median of interleaved pairs)",
        )
        save = large["pages"].get("review_save", {})
        add(
            f"{b}: saving a review of 300 actions takes ≤ 20 queries",
            save.get("queries") is not None and save["queries"] <= 20,
            f"{save.get('queries')} queries, {save.get('updates_written')} updates written, median {_ms(save.get('median_ms'))} ms",
        )
        meeting = large["pages"].get("meeting", {})
        add(
            f"{b}: the meeting page ≤ 2× the bare view's server time",
            meeting.get("ratio_median") is not None and meeting["ratio_median"] <= 2,
            f"{_ms(meeting.get('median_ms'))} ms, {meeting.get('ratio_median')}× the 50-row bare view",
        )
        # The review draws 300 rows of form (900 fields); the 50-row bare view draws a sixth of the
        # rows and no field, so against it the ratio measures the rows, not the page. Its floor is
        # the bare form of the same 300 rows (bench/floor.py bare_review); the other is shown beside.
        review, own = large["pages"].get("review", {}), large["pages"].get("review_vs_its_floor", {})
        add(
            f"{b}: the review page, 300 carried actions, ≤ 2× its floor (a bare form of the same 300 rows)",
            own.get("ratio_median") is not None and own["ratio_median"] <= 2,
            f"{_ms(own.get('median_ms'))} ms, {own.get('ratio_median')}× the bare form of the same rows; "
            f"{review.get('ratio_median')}× the 50-row bare view",
        )
        load = large.get("load", {})
        if load:
            log = load.get("action log, varied", {})
            add(
                f"{b}: action log with varied URLs, uncached, ≥ half the bare view's requests/s",
                log.get("ratio_median") is not None and log["ratio_median"] >= 0.5,
                f"median of {len(log.get('ratios', []))} interleaved pairs {log.get('ratio_median')} "
                f"(each: {log.get('ratios')}); {log.get('requests_per_s')} vs {log.get('floor_requests_per_s')} req/s",
            )
            errors = sum(
                run.get("non_2xx", 0) + run.get("socket_errors", 0) for run in load.values() if "requests" in run
            )
            failed = [t for t, run in load.items() if "requests" not in run]
            add(
                f"{b}: zero errors under load",
                errors == 0 and not failed,
                f"{errors} non-2xx or socket errors in {sum(run.get('requests', 0) for run in load.values())} requests"
                + (f"; failed runs: {', '.join(failed)}" if failed else ""),
            )
    return out


# =============================================================================================
# The worker: one backend, one data set, in its own process
# =============================================================================================


def prepare_database(url: str, *, recreate: bool = True) -> None:
    """A fresh, empty database for the run (dropped and recreated), or, with recreate=False, none."""
    if backend_of(url) == "sqlite":
        path = Path(url.split("sqlite:///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        if recreate:
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


def drop_database(url: str) -> None:
    prepare_database(url, recreate=False)


def bench_environment(url: str) -> dict:
    """The environment the app runs under in the bench: production-like settings, loopback HTTP."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "ERROR",
        # whitenoise warns that the never-collected static root is missing, once per process
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def worker(args) -> int:
    url = args.urls[0]
    os.environ.update(bench_environment(url))
    reps = QUICK if args.quick else FULL
    out: dict = {"backend": backend_of(url), "size": args.worker}

    prepare_database(url)
    import warnings

    import django

    # whitenoise looks for collected static files the bench never collects
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.data import SIZES, generate

    try:
        t = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        out["migrate_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        info = generate(SIZES[args.worker])
        if connection.vendor == "postgresql":
            # What autovacuum would soon do after a bulk load; without it the planner guesses.
            with connection.cursor() as cur:
                # VACUUM as well: the visibility map lets index-only scans skip the rows.
                cur.execute("VACUUM ANALYZE")
                cur.execute("SHOW server_version")
                out["server_version"] = cur.fetchone()[0]
        out["generate_s"] = round(time.perf_counter() - t, 1)
        out["data"] = info
        print(f"migrated in {out['migrate_s']} s; generated {info['counts']} in {out['generate_s']} s", flush=True)
        out["pages"] = measure_pages(info, reps)
        if not args.no_load:
            out["load_seconds"] = reps["load"]
            out["load_pairs"] = reps["pairs"]
            out["load"] = measure_load(url, info, reps["load"], reps["pairs"])
            out["load_server"] = out["load"].pop("_server", {})
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    Path(args.out).write_text(json.dumps(out, indent=2))
    return 0


# --- Finding the pages -----------------------------------------------------------------------


def url_names() -> list[str]:
    from django.urls import get_resolver

    names = []

    def walk(patterns, prefix):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace else ""))
            elif p.name:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def find_url(candidates: list[str], kwargs: dict, keywords: tuple[str, ...] = ()) -> str | None:
    """reverse() the first name that exists; failing that, a name containing every keyword."""
    from django.urls import NoReverseMatch, reverse

    names = list(candidates)
    if keywords:
        names += [n for n in url_names() if all(k in n for k in keywords)]
    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def consume(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def session_refreshed(client) -> None:
    """Restart the test client's session's refresh clock (adoptboard.middleware.SessionIdleRefreshMiddleware),
    so the request whose queries are counted next does not also write the session: that write
    comes once a minute, whenever a minute has passed, and would count on whichever page it lands."""
    from adoptboard.middleware import SessionIdleRefreshMiddleware

    session = client.session
    session[SessionIdleRefreshMiddleware.KEY] = int(time.time())
    session.save()


def slowest(captured: list[dict], n: int = 3) -> list[str]:
    """The few slowest queries of a counted run, for finding what to fix."""
    ranked = sorted(captured, key=lambda q: -float(q["time"]))[:n]
    return [f"{float(q['time']) * 1000:.1f} ms: {q['sql'][:400]}" for q in ranked]


def timed(fn, count: int, budget: float) -> dict:
    """Run `fn` once counting its queries, then up to `count` times for the clock (at least 3, within `budget` s)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log is a window on the connection's, which each request clears

    with CaptureQueriesContext(connection) as ctx:
        fn()
    captured = list(ctx.captured_queries)
    times, start = [], time.perf_counter()
    while len(times) < count and (len(times) < 3 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {
        "queries": len(captured),
        "slowest_queries": slowest(captured),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(quantile(times, 0.95), 2),
        "runs": len(times),
    }


def spread(times: list[float]) -> dict:
    """Median, the middle half (p25-p75) and the p95 of a list of milliseconds."""
    return {
        "median_ms": round(statistics.median(times), 2),
        "p25_ms": round(quantile(times, 0.25), 2),
        "p75_ms": round(quantile(times, 0.75), 2),
        "p95_ms": round(quantile(times, 0.95), 2),
        "runs": len(times),
    }


def timed_pair(fn, floor, count: int, budget: float) -> tuple[dict, dict, list[float]]:
    """A page and its floor measured in turns (A B A B ...), so a busy moment on the shared
    machine lands on both; returns both rows and the ratio of each pair."""
    times, floor_times = [], []
    start = time.perf_counter()
    while len(times) < count and (len(times) < 3 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        floor()
        floor_times.append((time.perf_counter() - t) * 1000)
    return spread(times), spread(floor_times), [a / b for a, b in zip(times, floor_times)]


def measure_pages(info: dict, reps: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    slug, meeting = info["board_slug"], info["review_meeting_id"]
    on_board, on_meeting = {"slug": slug}, {"slug": slug, "pk": meeting}
    log = find_url(["actions:action-list"], on_board)
    bare = find_url(["bench-floor"], on_board)
    bare_review = find_url(["bench-floor-review"], on_meeting)
    pages = [  # key, url, kind, floor
        ("dashboard", find_url(["meetings:dashboard"], {}), "pages", "bare"),
        ("board", find_url(["meetings:board-detail"], on_board), "pages", "bare"),
        ("meeting", find_url(["meetings:meeting-detail"], on_meeting), "pages", "bare"),
        ("review", find_url(["actions:meeting-review"], on_meeting, ("review",)), "pages", "bare"),
        ("review_vs_its_floor", find_url(["actions:meeting-review"], on_meeting), "pages", "bare_review"),
        ("log", log, "pages", "bare"),
        ("log_filtered", log and f"{log}?status=open&responsible={info['person_id']}", "pages", "bare"),
        ("log_search", log and f"{log}?q={info['search_word']}", "pages", "bare"),
        ("log_deep_page", log and f"{log}?page={max(1, info['counts']['actions'] // 50 // 2)}", "pages", "bare"),
        (
            "action",
            find_url(["actions:action-detail"], {"slug": slug, "number": info["action_number"]}),
            "pages",
            "bare",
        ),
        ("my_actions", find_url(["actions:my-actions"], {}, ("my",)), "pages", "bare"),
        ("board_settings", find_url(["meetings:board-settings"], on_board), "pages", "bare"),
        ("board_people", find_url(["meetings:board-people"], on_board), "pages", "bare"),
        ("account", find_url(["accounts:account"], {}), "pages", "bare"),
        ("export_csv", find_url(["documents:action-export-csv"], on_board, ("export", "csv")), "files", "csv_floor"),
        ("export_xlsx", find_url(["documents:action-export-xlsx"], on_board, ("export", "xlsx")), "files", "csv_floor"),
        (
            "agenda_pdf",
            find_url(["documents:meeting-agenda-pdf", "meetings:agenda-pdf"], on_meeting, ("agenda", "pdf")),
            "files",
            "pdf_floor",
        ),
    ]
    pdf_html = pdf_floor_html(info)
    pdf_render = lambda: len(__import__("weasyprint").HTML(string=pdf_html).write_pdf())  # noqa: E731
    pdf_render()  # fonts and WeasyPrint's own start-up, which the app's first PDF pays too
    floors = {
        "bare": lambda: consume(client.get(bare)),
        "bare_review": lambda: consume(client.get(bare_review)),
        "csv_floor": lambda: csv_floor(slug),
        "pdf_floor": pdf_render,
    }
    results = {}
    for name, floor in floors.items():  # each floor alone too, with its queries, for the table
        session_refreshed(client)
        reset_queries()  # the log is a window on the connection's, which each request clears
        with CaptureQueriesContext(connection) as ctx:
            floor()
        kind = "files" if name.endswith("_floor") else "pages"
        results[name] = {
            "url": {"bare": bare, "bare_review": bare_review}.get(name),
            "queries": len(ctx.captured_queries),
        }
        results[name] |= timed(floor, reps[kind], reps["budget"])
        report(name, results[name])
    results["pdf_floor"] |= {"bytes": len(pdf_html.encode())}
    for key, url, kind, floor in pages:
        if url is None:
            print(f"  {key:<13} skipped: no such URL name yet", flush=True)
            results[key] = {"skipped": "no URL name yet"}
            continue
        first = client.get(url)
        if first.status_code != 200:
            print(f"  {key:<13} skipped: {url} answered {first.status_code}", flush=True)
            results[key] = {"skipped": f"status {first.status_code}", "url": url}
            continue
        size = consume(first)
        fetch = lambda u=url: consume(client.get(u))  # noqa: E731
        session_refreshed(client)
        reset_queries()  # the log is a window on the connection's, which each request clears
        with CaptureQueriesContext(connection) as ctx:
            fetch()
        captured = list(ctx.captured_queries)  # now: the next request clears the connection's log
        row, floor_row, ratios = timed_pair(fetch, floors[floor], reps[kind], reps["budget"])
        results[key] = {
            "url": url,
            "bytes": size,
            "queries": len(captured),
            "slowest_queries": slowest(captured),
            **row,
            "floor": floor,
            "floor_interleaved": floor_row,
            "ratio_median": round(statistics.median(ratios), 2),
            "ratio_p25": round(quantile(ratios, 0.25), 2),
            "ratio_p75": round(quantile(ratios, 0.75), 2),
        }
        report(key, results[key])

    results["review_save"] = review_save(client, results.get("review", {}).get("url"), reps)
    report("review_save", results["review_save"])
    return results


def report(key: str, row: dict) -> None:
    if row.get("skipped"):
        print(f"  {key:<13} skipped: {row['skipped']}", flush=True)
    else:
        bytes_note = f", {row['bytes']} bytes" if row.get("bytes") else ""
        ratio = f"  {row['ratio_median']:.2f}x {row['floor']}" if "ratio_median" in row else ""
        print(
            f"  {key:<13} median {row['median_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  {row['queries']:3} queries"
            f"  ({row['runs']} runs{bytes_note}){ratio}",
            flush=True,
        )


def csv_floor(slug: str) -> int:
    """The least an export of the log can cost: its rows' values straight into csv, no view, no labels."""
    import csv
    import io

    from actions.models import Action

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(
        Action.objects.filter(board__slug=slug, removed_at__isnull=True)
        .order_by("-number")
        .values_list("number", "text", "issued_on", "due_date", "status", "status_note")
    )
    return len(buffer.getvalue().encode())


def pdf_floor_html(info: dict) -> str:
    """A static document of the agenda's size and visible text, for WeasyPrint alone."""
    from bench.floor import static_agenda_html, visible_text

    size = info["size"]
    app_html = agenda_html(info)
    return static_agenda_html(
        items=size["items"],
        actions=size["open_actions"],
        upcoming=size["upcoming"],
        invitees=size["members"],
        target_text=visible_text(app_html) if app_html else 0,
    )


def agenda_html(info: dict) -> str:
    """The app's agenda HTML for the review meeting ("" if the app cannot render it yet)."""
    try:
        from documents import data, pdf
        from meetings.models import Meeting

        meeting = Meeting.objects.select_related("board").get(pk=info["review_meeting_id"])
        return pdf.agenda_html(data.meeting_pack(meeting))
    except Exception:
        return ""


class FormFields(HTMLParser):
    """The fields of each <form> on a page, with the values the browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": {}}
            )
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            fields[self._select] = None
        elif tag == "option" and self._select:
            # A browser sends the selected option, or the first one when none is selected.
            if "selected" in a or fields[self._select] is None:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def review_save(client, url: str | None, reps: dict) -> dict:
    """POST the review form as the page offers it, with a note on every action; time and count it."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from actions.models import ActionUpdate

    if url is None:
        return {"skipped": "no review page yet"}

    def form_data(run: int) -> dict:
        parser = FormFields()
        parser.feed(client.get(url).content.decode())
        posts = [f for f in parser.forms if f["method"] == "post"]
        if not posts:
            raise LookupError("no POST form on the review page")
        fields = dict(max(posts, key=lambda f: len(f["fields"]))["fields"])
        for name in fields:
            if re.match(r"^(.*-)?note[-_]", name):
                fields[name] = f"Reviewed at the meeting (bench save {run})."
        return fields

    try:
        data = form_data(0)
    except LookupError as exc:
        return {"skipped": str(exc)}
    notes = sum(1 for n in data if re.match(r"^(.*-)?note[-_]", n))
    before = ActionUpdate.objects.count()
    session_refreshed(client)
    reset_queries()  # the log is a window on the connection's, which each request clears
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    # Read now: the log is a window on the connection's, which the next request clears.
    captured = list(ctx.captured_queries)
    written = ActionUpdate.objects.count() - before
    if response.status_code not in (200, 302, 303):
        return {"skipped": f"status {response.status_code}", "queries": len(captured)}
    times = []
    for run in range(1, reps["saves"] + 1):
        data = form_data(run)
        t = time.perf_counter()
        client.post(url, data)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "url": url,
        "status": response.status_code,
        "actions_in_form": notes,
        "updates_written": written,
        "queries": len(captured),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(quantile(times, 0.95), 2),
        "runs": len(times),
        "slowest_queries": slowest(captured),
    }


# --- Throughput --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, cookie: str, timeout: float = 60) -> int:
    """The status of one GET (redirects not followed); 0 when there is no answer in time."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return 0


def parse_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def log_urls(log: str | None, info: dict, count: int = 400) -> list[str]:
    """The log as readers use it: pages across the whole log, filters, searches, in a fixed shuffled order."""
    import random

    if log is None:
        return [None]
    rng = random.Random(18)
    pages = max(1, info["counts"]["actions"] // 50)
    words = ["kinship", "report", "figures", "court", "training", "sibling", "dashboard", "annual", '"post order"']
    people = info.get("people_ids") or [info["person_id"]]
    meetings = info.get("meeting_ids") or []
    urls = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.30:
            urls.append(log if rng.random() < 0.3 else f"{log}?page={rng.randint(1, pages)}")
        elif kind < 0.55:
            urls.append(
                f"{log}?q={urllib.parse.quote(rng.choice(words))}"
                + (f"&page={rng.randint(1, 3)}" if rng.random() < 0.3 else "")
            )
        elif kind < 0.75:
            urls.append(f"{log}?status=open&status=in_progress&responsible={rng.choice(people)}")
        elif kind < 0.9 and meetings:
            urls.append(f"{log}?meeting={rng.choice(meetings)}")
        else:
            year = rng.randint(2022, 2026)
            urls.append(f"{log}?issued_from={year}-01-01&issued_to={year}-12-31&page={rng.randint(1, 5)}")
    return urls


def wrk_script(paths: list[str]) -> str:
    """wrk's Lua: each request takes the next URL of the list (each thread from its own start)."""
    quoted = ",\n".join(json.dumps(p) for p in paths)
    return f"""paths = {{
{quoted}
}}
local i = 0
setup = function(thread) thread:set("offset", math.random(#paths)) end
init = function(args) i = offset or 0 end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def summarise_load(runs: list[dict], floor_runs: list[dict], paths: list[str]) -> dict:
    ok = [(a, b) for a, b in zip(runs, floor_runs) if a.get("requests_per_s") and b.get("requests_per_s")]
    if not ok:
        return {"error": "wrk gave no figures", "runs": runs, "floor_runs": floor_runs}
    ratios = [round(a["requests_per_s"] / b["requests_per_s"], 2) for a, b in ok]
    rates = [a["requests_per_s"] for a, _ in ok]
    floor_rates = [b["requests_per_s"] for _, b in ok]
    return {
        "urls": len(paths),
        "url_sample": paths[:8],
        "requests_per_s": round(statistics.median(rates), 1),
        "requests_per_s_min": min(rates),
        "requests_per_s_max": max(rates),
        "floor_requests_per_s": round(statistics.median(floor_rates), 1),
        "ratios": ratios,
        "ratio_median": round(statistics.median(ratios), 2),
        "p50_ms": round(statistics.median(a.get("p50_ms", 0) for a, _ in ok), 1),
        "p99_ms": round(statistics.median(a.get("p99_ms", 0) for a, _ in ok), 1),
        "requests": sum(a.get("requests", 0) for a, _ in ok) + sum(b.get("requests", 0) for _, b in ok),
        "non_2xx": sum(r.get("non_2xx", 0) for pair in ok for r in pair),
        "socket_errors": sum(r.get("socket_errors", 0) for pair in ok for r in pair),
        "runs": runs,
        "floor_runs": floor_runs,
    }


def measure_load(url: str, info: dict, seconds: int, pairs: int = 3) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    from django.db import connections

    connections.close_all()  # SQLite: leave the file to gunicorn's workers

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    slug = info["board_slug"]
    from django.urls import reverse

    log = find_url(["actions:action-list"], {"slug": slug})
    meeting = find_url(["meetings:meeting-detail"], {"slug": slug, "pk": info["review_meeting_id"]})
    bare = reverse("bench-floor", kwargs={"slug": slug})
    # (name, the URLs one run cycles through, the floor it is paired with)
    targets = [
        ("action log, varied", log_urls(log, info), "bare view"),
        ("meeting page", [meeting], "bare view"),
    ]
    logdir = Path(tempfile.mkdtemp(prefix="adoptboard-gunicorn-"))
    access = logdir / "access.log"
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "adoptboard.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--timeout",
        "60",
        "--access-logfile",
        str(access),
        "--access-logformat",
        "%(s)s %(U)s",
        "--error-logfile",
        str(logdir / "error.log"),
    ]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=bench_environment(url), start_new_session=True)
    results: dict = {}
    try:
        ready = False
        for _ in range(60):
            ready = fetch(base + bare, cookie, timeout=5) == 200
            if ready:
                break
            time.sleep(0.5)
        if not ready:
            return {t: {"error": "gunicorn did not answer 200"} for t, _, _ in targets}
        for path in {p for _, paths, _ in targets for p in paths[:5]}:  # warm both workers' templates
            fetch(base + path, cookie)

        def run(name: str, paths: list[str]) -> dict:
            script = logdir / f"{abs(hash(name))}.lua"
            script.write_text(wrk_script(paths))
            offset = access.stat().st_size if access.exists() else 0
            cmd = ["wrk", "-t2", "-c20", f"-d{seconds}s", "--latency", "--timeout", "10s"]
            cmd += ["-H", f"Cookie: {cookie}", "-s", str(script), base + paths[0]]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
            row = parse_wrk(out.stdout)
            time.sleep(0.5)  # let gunicorn flush its access log
            statuses: dict[str, int] = {}
            with open(access) as log_file:
                log_file.seek(offset)
                for line in log_file:
                    code = line.split(" ", 1)[0]
                    statuses[code] = statuses.get(code, 0) + 1
            row["statuses"] = statuses
            row["non_2xx"] = max(row["non_2xx"], sum(n for c, n in statuses.items() if not c.startswith("2")))
            return row

        for name, paths, floor in targets:
            if None in paths:
                results[name] = {"error": "no URL name yet"}
                continue
            bad = [p for p in paths[:20] if fetch(base + p, cookie) != 200]
            if bad:
                results[name] = {"error": f"{bad[0]} did not answer 200 before the run"}
                continue
            runs, floor_runs = [], []
            for turn in range(pairs):  # A B A B: the page, then its floor, in turns
                print(f"  load: {name} ({len(paths)} URLs), turn {turn + 1} of {pairs}, {seconds} s ...", flush=True)
                runs.append(run(name, paths))
                floor_runs.append(run(floor, [bare]))
            results[name] = summarise_load(runs, floor_runs, paths)
            r = results[name]
            if "error" in r:
                print(f"  load: {name}: {r['error']}", flush=True)
                continue
            print(
                f"  load: {name}: median {r['requests_per_s']:.0f} req/s vs {r['floor_requests_per_s']:.0f} "
                f"= {r['ratio_median']:.2f} (pairs {r['ratios']}), {r['non_2xx']} non-2xx, "
                f"{r['socket_errors']} socket errors",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # our own gunicorn's process group, nothing else
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        errors = (logdir / "error.log").read_text() if (logdir / "error.log").exists() else ""
        tracebacks = errors.count("Traceback")
        if tracebacks:
            print(
                f"  gunicorn logged {tracebacks} tracebacks; first:\n" + errors[errors.index("Traceback") :][:2000],
                flush=True,
            )
        results["_server"] = {"tracebacks": tracebacks}
        shutil.rmtree(logdir, ignore_errors=True)
    return results


def parse_wrk(text: str) -> dict:
    out = {"non_2xx": 0, "socket_errors": 0}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        out["requests_per_s"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in", text):
        out["requests"] = int(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M):
            out[key] = round(parse_ms(m.group(1)), 1)
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        out["non_2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        out["socket_errors"] = sum(int(g) for g in m.groups())
    if "requests_per_s" not in out:
        out["error"] = "could not read wrk's output: " + text[-300:]
    return out


if __name__ == "__main__":
    sys.exit(main())
