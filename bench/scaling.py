#!/usr/bin/env python
"""How pages and documents scale with the size of a board's action log: 1,000 / 10,000 / 50,000 actions.

    python bench/scaling.py                              # SQLite and PostgreSQL, 1k, 10k and 50k
    python bench/scaling.py --quick                      # 1k and 10k, one timed run of each document
    python bench/scaling.py --sizes 50000 --database-url postgres://postgres@127.0.0.1:5432/adoptboard_bench

For each backend and size a fresh database gets the benchmark's data set (bench/data.py, with
the big board's log at that size and 300 actions still open) in one process; a second process,
which has done nothing but start Django, then measures. Pages: median server time of a few
requests through the test client and their query count. Documents: each request runs in a
process forked from that second one — as a gunicorn worker is forked from its master — and
reports its time, its peak resident memory (VmHWM, the worker's whole footprint, Django
included) and the growth over the process it was forked from. Results go to
bench/scaling.json and a table to stdout (copied into docs/PERFORMANCE.md by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import DEFAULT_PG, backend_of, bench_environment, drop_database, prepare_database  # noqa: E402

OUT = ROOT / "bench" / "scaling.json"
DOCUMENTS = ["agenda_pdf", "minutes_pdf", "minutes_docx", "log_csv", "log_xlsx", "log_pdf", "log_pdf_open"]
PAGES = ["log", "log_search", "log_page", "review", "meeting", "action"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", help="comma-separated action counts (default 1000,10000,50000)")
    parser.add_argument("--database-url", action="append", dest="urls")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return generate(args) if args.generate else measure(args)

    sizes = [int(s) for s in (args.sizes or ("1000,10000" if args.quick else "1000,10000,50000")).split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="adoptboard-scaling-"))
    urls = args.urls or [f"sqlite:///{tmp}/scaling.sqlite3", DEFAULT_PG]
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "quick": args.quick, "runs": {}}
    for url in urls:
        backend = backend_of(url)
        for size in sizes:
            key = f"{backend}-{size}"
            out = tmp / f"{key}.json"
            print(f"\n=== {backend}, {size:,} actions ===", flush=True)
            base = [sys.executable, __file__, "--worker", str(size), "--out", str(out), "--database-url", url]
            try:
                for step in (["--generate"], ["--quick"] * args.quick):
                    proc = subprocess.run(base + step, cwd=ROOT, env=bench_environment(url))
                    if proc.returncode != 0:
                        raise RuntimeError(f"exit {proc.returncode}")
                results["runs"][key] = json.loads(out.read_text())
            except RuntimeError as exc:
                print(f"!! {key} failed: {exc}", flush=True)
                results["runs"][key] = {"failed": str(exc)}
            finally:
                if not args.keep:
                    drop_database(url)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print("\n" + table(results))
    return 0


def generate(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.data import SIZES, generate

    url = args.urls[0]
    prepare_database(url)
    call_command("migrate", verbosity=0, interactive=False)
    n = int(args.worker)
    size = SIZES["large"].__class__(**{**SIZES["large"].__dict__, "actions": n, "boards": 5})
    t = time.perf_counter()
    info = generate(size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # What autovacuum does soon after a bulk load; the visibility map lets index-only scans skip the rows.
            cur.execute("VACUUM ANALYZE")
    print(f"generated {info['counts']} in {time.perf_counter() - t:.1f} s", flush=True)
    Path(args.out).write_text(json.dumps({"data": info}))
    return 0


def _hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def in_child(fn) -> dict:
    """Run fn() in a forked process; its wall time, peak RSS and growth over the parent."""
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, report through the pipe, leave without cleanup
        os.close(read)
        try:
            before = _rss_kb()
            t = time.perf_counter()
            detail = fn()
            row = {
                "seconds": round(time.perf_counter() - t, 3),
                "peak_mb": round(_hwm_kb() / 1024, 1),
                "growth_mb": round((_hwm_kb() - before) / 1024, 1),
                **(detail or {}),
            }
        except BaseException as exc:
            row = {"error": repr(exc)[:300]}
        os.write(write, json.dumps(row).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks) or b'{"error": "no answer"}')


def measure(args) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    out = Path(args.out)
    result = json.loads(out.read_text())
    info = result["data"]
    slug, review, held = info["board_slug"], info["review_meeting_id"], info["held_meeting_id"]
    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    log = reverse("actions:action-list", kwargs={"slug": slug})
    n = int(args.worker)
    pages = {
        "log": log,
        "log_search": f"{log}?q={info['search_word']}",
        "log_page": f"{log}?page={max(1, n // 50 // 2)}",
        "review": reverse("actions:meeting-review", kwargs={"slug": slug, "pk": review}),
        "meeting": reverse("meetings:meeting-detail", kwargs={"slug": slug, "pk": review}),
        "action": reverse("actions:action-detail", kwargs={"slug": slug, "number": info["action_number"]}),
    }
    on_held = {"slug": slug, "pk": held}
    documents = {
        "agenda_pdf": reverse("documents:meeting-agenda-pdf", kwargs={"slug": slug, "pk": review}),
        "minutes_pdf": reverse("documents:meeting-minutes-pdf", kwargs=on_held),
        "minutes_docx": reverse("documents:meeting-minutes-docx", kwargs=on_held),
        "log_csv": reverse("documents:action-export-csv", kwargs={"slug": slug}),
        "log_xlsx": reverse("documents:action-export-xlsx", kwargs={"slug": slug}),
        "log_pdf": reverse("documents:action-export-pdf", kwargs={"slug": slug}),
        "log_pdf_open": reverse("documents:action-export-pdf", kwargs={"slug": slug}) + "?status=open",
    }
    client.get(pages["log"])  # templates loaded, connection open: what a warm worker has
    result["pages"] = {}
    reps = 3 if args.quick else 7
    for key, url in pages.items():
        reset_queries()  # the log is a window on the connection's, which each request clears
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(url).status_code
        queries = len(ctx.captured_queries)  # now: the next request clears the connection's log
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        row = {"url": url, "status": status, "queries": queries}
        row |= {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1)}
        row |= {"max_ms": round(max(times), 1)}
        result["pages"][key] = row
        print(f"  {key:<14} {row['median_ms']:8.1f} ms  {row['queries']:3} queries  ({status})", flush=True)

    import weasyprint  # noqa: F401  (loaded once in the parent, as a worker that has served a PDF has)

    result["documents"] = {}
    for key, url in documents.items():

        def fetch(url=url):
            from bench.run import consume

            response = client.get(url)
            body = consume(response)
            return {"status": response.status_code, "bytes": body, "streamed": bool(response.streaming)}

        row = in_child(fetch)
        result["documents"][key] = {"url": url, **row}
        if "error" in row:
            print(f"  {key:<14} error {row['error']}", flush=True)
        else:
            print(
                f"  {key:<14} {row['seconds']:7.2f} s  peak {row['peak_mb']:6.1f} MB  +{row['growth_mb']:6.1f} MB"
                f"  {row['bytes']:>10} bytes  ({row['status']}{', streamed' if row['streamed'] else ''})",
                flush=True,
            )
    result["parent_rss_mb"] = round(_rss_kb() / 1024, 1)
    out.write_text(json.dumps(result, indent=2))
    return 0


def table(results: dict) -> str:
    runs = {k: v for k, v in results["runs"].items() if "pages" in v}
    if not runs:
        return "no runs"
    keys = list(runs)
    lines = ["| |" + "".join(f" {k} |" for k in keys), "|---|" + "---:|" * len(keys)]
    for page in PAGES:
        cells = []
        for k in keys:
            row = runs[k]["pages"].get(page, {})
            cells.append(f" {row.get('median_ms', '—')} ms, {row.get('queries', '—')} q |")
        lines.append(f"| {page} |" + "".join(cells))
    for doc in DOCUMENTS:
        cells = []
        for k in keys:
            row = runs[k]["documents"].get(doc, {})
            if "error" in row or not row:
                cells.append(f" {row.get('error', '—')} |")
            else:
                cells.append(f" {row['seconds']:.2f} s, {row['peak_mb']:.0f} MB (+{row['growth_mb']:.0f}) |")
        lines.append(f"| {doc} |" + "".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
