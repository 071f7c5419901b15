#!/usr/bin/env python
"""AdoptBoard's benchmark: a busy installation's pages on SQLite and PostgreSQL, beside their floors.

    python bench/run.py                      # SQLite and PostgreSQL, full run (about 7 minutes)
    python bench/run.py --quick              # fewer repetitions, 10 s load runs
    python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/adoptboard_bench

Prerequisites: the project's venv (`make install`), wrk (`apt-get install -y wrk`), and for the
PostgreSQL half a server where the URL's role may create databases. The database named in a URL
is DROPPED and recreated, so its name must contain "bench"; SQLite runs in a temporary file.

For each backend and each data set (small, then large — see bench/data.py) a worker process
creates a fresh database, migrates it, generates the data, and measures in-process with Django's
test client, logged in as the big board's secretary: every page's median and p95 server time and
its query count, the floors (a bare view of the same 50 action rows; WeasyPrint on a static
document of the agenda's size; the 10,000 rows written by csv with nothing else), and the time
and queries of saving a review of every open action. On the large data set it then serves the
app with gunicorn (2 sync workers, loopback only) and loads the action log, the meeting page and
the bare view with wrk. Results go to bench/results.json, a table to stdout, and the table into
docs/PERFORMANCE.md between its "bench:results" markers.
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
FULL = {"pages": 30, "files": 10, "saves": 5, "budget": 20.0, "load": 20}
QUICK = {"pages": 8, "files": 3, "saves": 2, "budget": 6.0, "load": 10}


# =============================================================================================
# The orchestrator: one worker process per backend and data set (Django's settings are per process)
# =============================================================================================


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and 10 s load runs")
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

ROWS = [  # (key, label, floor key)
    ("dashboard", "Dashboard `/`", "bare"),
    ("board", "Board page", "bare"),
    ("meeting", "Meeting page (next meeting)", "bare"),
    ("review", "Action-log review, 300 open actions", "bare"),
    ("log", "Action log, first page", "bare"),
    ("log_filtered", "Action log, ?status=open&responsible=", "bare"),
    ("log_search", "Action log, ?q= text search", "bare"),
    ("log_cold", "Action log, first page, table drawn afresh (cache emptied)", "bare"),
    ("log_search_cold", "Action log, ?q= text search, drawn afresh", "bare"),
    ("action", "One action with its history", "bare"),
    ("my_actions", "`/my/actions/`", "bare"),
    ("export_csv", "CSV export, 10,000 actions", "csv_floor"),
    ("export_xlsx", "Excel export, 10,000 actions", "csv_floor"),
    ("agenda_pdf", "Agenda PDF", "pdf_floor"),
    ("review_save", "Save the review of 300 actions (POST)", "bare"),
    ("bare", "*Floor: bare view, same 50 rows*", None),
    ("csv_floor", "*Floor: 10,000 rows to CSV, no view*", None),
    ("pdf_floor", "*Floor: WeasyPrint, static agenda-sized HTML*", None),
]


def _ms(value):
    return "—" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown(results: dict) -> str:
    backends = [b for b in ("sqlite", "postgresql") if b in results["backends"]]
    head = "| Page |" + "".join(f" {b}: median ms | p95 ms | queries (small / large) | × floor |" for b in backends)
    lines = [head, "|---|" + "---:|---:|---:|---:|" * len(backends)]
    for key, label, floor in ROWS:
        cells = []
        for b in backends:
            large = results["backends"][b].get("large", {}).get("pages", {}).get(key)
            small = results["backends"][b].get("small", {}).get("pages", {}).get(key)
            if not large or large.get("skipped"):
                note = (large or {}).get("skipped", "not run")
                cells.append(f" skipped: {note} | | | |")
                continue
            floor_row = results["backends"][b]["large"]["pages"].get(floor) if floor else None
            ratio = (
                f"{large['median_ms'] / floor_row['median_ms']:.1f}×"
                if floor_row and floor_row.get("median_ms")
                else ""
            )
            q_small = small.get("queries") if small and not small.get("skipped") else "—"
            queries = "" if large.get("queries") is None else f"{q_small} / {large['queries']}"
            cells.append(f" {_ms(large['median_ms'])} | {_ms(large['p95_ms'])} | {queries} | {ratio} |")
        lines.append(f"| {label} |" + "".join(cells))
    load = []
    for b in backends:
        for target, run in results["backends"][b].get("large", {}).get("load", {}).items():
            if "requests_per_s" in run:
                rate = run["requests_per_s"]
                load.append(
                    f"| {b} | {target} | {rate:.1f} | {run['p50_ms']:.0f} | {run['p99_ms']:.0f} | "
                    f"{run['requests']} | {run['non_2xx']} | {run['socket_errors']} |"
                )
            else:
                load.append(f"| {b} | {target} | failed: {run.get('error')} | | | | | |")
    if load:
        lines += [
            "",
            "Throughput: gunicorn, 2 sync workers, loopback; wrk, 2 threads, 20 connections, "
            f"{results['backends'][backends[0]].get('large', {}).get('load_seconds', '?')} s per URL, logged in.",
            "",
            "| Backend | URL | requests/s | p50 ms | p99 ms | requests | non-2xx | socket errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
            *load,
        ]
    lines += ["", "Goals:", ""]
    lines += [
        f"- {'met' if g['met'] else '**not met**'}: {g['goal']} — {g['detail']}" for g in results.get("goals", [])
    ]
    m = results["machine"]
    lines += [
        "",
        f"Machine: {m.get('nproc')} × {m.get('cpu')}, {m.get('memory_gb')} GB; Python {m.get('python')}, "
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
        pdf, floor = large["pages"].get("agenda_pdf", {}), large["pages"].get("pdf_floor", {})
        if pdf.get("median_ms") and floor.get("median_ms"):
            r = pdf["median_ms"] / floor["median_ms"]
            add(
                f"{b}: agenda PDF ≤ 1.5× the static WeasyPrint floor",
                r <= 1.5,
                f"{pdf['median_ms']:.0f} ms vs {floor['median_ms']:.0f} ms = {r:.2f}×",
            )
        else:
            add(f"{b}: agenda PDF ≤ 1.5× the static WeasyPrint floor", False, "not measured")
        save = large["pages"].get("review_save", {})
        add(
            f"{b}: saving a review of 300 actions takes ≤ 20 queries",
            save.get("queries") is not None and save["queries"] <= 20,
            f"{save.get('queries')} queries, {save.get('updates_written')} updates written, median {_ms(save.get('median_ms'))} ms",
        )
        load = large.get("load", {})
        if load:
            log, bare = load.get("action log", {}), load.get("bare view", {})
            if log.get("requests_per_s") and bare.get("requests_per_s"):
                r = log["requests_per_s"] / bare["requests_per_s"]
                add(
                    f"{b}: action log ≥ half the bare view's requests/s",
                    r >= 0.5,
                    f"{log['requests_per_s']:.0f} vs {bare['requests_per_s']:.0f} req/s = {r:.2f}",
                )
            else:
                add(f"{b}: action log ≥ half the bare view's requests/s", False, "not measured")
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
                cur.execute("ANALYZE")
                cur.execute("SHOW server_version")
                out["server_version"] = cur.fetchone()[0]
        out["generate_s"] = round(time.perf_counter() - t, 1)
        out["data"] = info
        print(f"migrated in {out['migrate_s']} s; generated {info['counts']} in {out['generate_s']} s", flush=True)
        out["pages"] = measure_pages(info, reps)
        if not args.no_load:
            out["load_seconds"] = reps["load"]
            out["load"] = measure_load(url, info, reps["load"])
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


def slowest(captured: list[dict], n: int = 3) -> list[str]:
    """The few slowest queries of a counted run, for finding what to fix."""
    ranked = sorted(captured, key=lambda q: -float(q["time"]))[:n]
    return [f"{float(q['time']) * 1000:.1f} ms: {q['sql'][:400]}" for q in ranked]


def timed(fn, count: int, budget: float) -> dict:
    """Run `fn` once counting its queries, then up to `count` times for the clock (at least 3, within `budget` s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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


def measure_pages(info: dict, reps: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    slug, meeting = info["board_slug"], info["review_meeting_id"]
    on_board, on_meeting = {"slug": slug}, {"slug": slug, "pk": meeting}
    log = find_url(["actions:action-list"], on_board)
    pages = [  # key, url, kind
        ("dashboard", find_url(["meetings:dashboard"], {}), "pages"),
        ("board", find_url(["meetings:board-detail"], on_board), "pages"),
        ("meeting", find_url(["meetings:meeting-detail"], on_meeting), "pages"),
        ("review", find_url(["actions:meeting-review"], on_meeting, ("review",)), "pages"),
        ("log", log, "pages"),
        ("log_filtered", log and f"{log}?status=open&responsible={info['person_id']}", "pages"),
        ("log_search", log and f"{log}?q={info['search_word']}", "pages"),
        # The log's table is cached under the board's log version: these empty the cache before
        # every request, to show what a request costs when the log has just changed.
        ("log_cold", log, "cold"),
        ("log_search_cold", log and f"{log}?q={info['search_word']}", "cold"),
        ("action", find_url(["actions:action-detail"], {"slug": slug, "number": info["action_number"]}), "pages"),
        ("my_actions", find_url(["actions:my-actions"], {}, ("my",)), "pages"),
        ("export_csv", find_url(["documents:action-export-csv"], on_board, ("export", "csv")), "files"),
        ("export_xlsx", find_url(["documents:action-export-xlsx"], on_board, ("export", "xlsx")), "files"),
        (
            "agenda_pdf",
            find_url(["documents:meeting-agenda-pdf", "meetings:agenda-pdf"], on_meeting, ("agenda", "pdf")),
            "files",
        ),
        ("bare", find_url(["bench-floor"], on_board), "pages"),
    ]
    results = {}
    for key, url, kind in pages:
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
        if kind == "cold":
            fetch = lambda u=url: (cache.clear(), consume(client.get(u)))[1]  # noqa: E731
        else:
            fetch = lambda u=url: consume(client.get(u))  # noqa: E731
        results[key] = {
            "url": url,
            "bytes": size,
            **timed(fetch, reps["pages" if kind == "cold" else kind], reps["budget"]),
        }
        report(key, results[key])

    results["csv_floor"] = {"url": None, **timed(lambda: csv_floor(slug), reps["files"], reps["budget"])}
    report("csv_floor", results["csv_floor"])
    results["pdf_floor"] = pdf_floor(info, reps)
    report("pdf_floor", results["pdf_floor"])
    results["review_save"] = review_save(client, results.get("review", {}).get("url"), reps)
    report("review_save", results["review_save"])
    return results


def report(key: str, row: dict) -> None:
    if row.get("skipped"):
        print(f"  {key:<13} skipped: {row['skipped']}", flush=True)
    else:
        bytes_note = f", {row['bytes']} bytes" if row.get("bytes") else ""
        print(
            f"  {key:<13} median {row['median_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms  {row['queries']:3} queries"
            f"  ({row['runs']} runs{bytes_note})",
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


def pdf_floor(info: dict, reps: dict) -> dict:
    import weasyprint

    from bench.floor import static_agenda_html, visible_text

    size = info["size"]
    app_html = agenda_html(info)
    html = static_agenda_html(
        items=size["items"],
        actions=size["open_actions"],
        upcoming=size["upcoming"],
        invitees=size["members"],
        target_text=visible_text(app_html) if app_html else 0,
    )
    render = lambda: len(weasyprint.HTML(string=html).write_pdf())  # noqa: E731
    render()  # fonts and WeasyPrint's own start-up, which the app's first PDF pays too
    return {
        "url": None,
        "bytes": len(html.encode()),
        "text_chars": visible_text(html),
        "agenda_html_bytes": len(app_html.encode()),
        "agenda_text_chars": visible_text(app_html) if app_html else 0,
        **timed(render, reps["files"], reps["budget"]),
    }


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
    from django.db import connection
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


def measure_load(url: str, info: dict, seconds: int) -> dict:
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

    targets = {
        "action log": find_url(["actions:action-list"], {"slug": slug}),
        "meeting page": find_url(["meetings:meeting-detail"], {"slug": slug, "pk": info["review_meeting_id"]}),
        "bare view": reverse("bench-floor", kwargs={"slug": slug}),
    }
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
    results = {}
    try:
        ready = False
        for _ in range(60):
            ready = fetch(base + targets["bare view"], cookie, timeout=5) == 200
            if ready:
                break
            time.sleep(0.5)
        if not ready:
            return {t: {"error": "gunicorn did not answer 200"} for t in targets}
        for target, path in targets.items():
            if path is None:
                results[target] = {"error": "no URL name yet"}
                continue
            status = fetch(base + path, cookie)
            if status != 200:
                results[target] = {"error": f"answered {status} before the run"}
                continue
            offset = access.stat().st_size if access.exists() else 0
            cmd = [
                "wrk",
                "-t2",
                "-c20",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-H",
                f"Cookie: {cookie}",
                base + path,
            ]
            print(f"  load: {target} for {seconds} s ...", flush=True)
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
            results[target] = parse_wrk(run.stdout)
            results[target]["url"] = path
            time.sleep(0.5)  # let gunicorn flush its access log
            statuses: dict[str, int] = {}
            with open(access) as log:
                log.seek(offset)
                for line in log:
                    code = line.split(" ", 1)[0]
                    statuses[code] = statuses.get(code, 0) + 1
            results[target]["statuses"] = statuses
            results[target]["non_2xx"] = max(
                results[target]["non_2xx"], sum(n for c, n in statuses.items() if not c.startswith("2"))
            )
            results[target]["status_after"] = fetch(base + path, cookie)
            r = results[target]
            print(
                f"  load: {target}: {r['requests_per_s']:.0f} req/s, p99 {r['p99_ms']:.0f} ms, "
                f"{r['non_2xx']} non-2xx, {r['socket_errors']} socket errors, statuses {statuses}",
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
