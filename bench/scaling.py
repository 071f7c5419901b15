#!/usr/bin/env python
"""How pages and documents scale with the size of a board's action log: 1,000 / 10,000 / 50,000 actions.

    python bench/scaling.py                              # SQLite and PostgreSQL, 1k, 10k and 50k
    python bench/scaling.py --quick                      # 1k and 10k, 3 requests a page instead of 7
    python bench/scaling.py --sizes 50000 --database-url postgres://postgres@127.0.0.1:5432/adoptboard_bench
    python bench/scaling.py --sizes 1000,10000 --database-url sqlite:////tmp/scaling.sqlite3   # SQLite only
    python bench/scaling.py --sizes 50000 --merge ...     # add these runs to bench/scaling.json's others

For each backend and size a fresh database gets the benchmark's data set (bench/data.py, with
the big board's log at that size and 300 actions still open, and a second board whose last held
meeting has a typical load) in one process; a second process, which has done nothing but start
Django, then measures. Pages: median server time of a few requests through the test client and
their query count. Documents: each request runs in a process forked from that second one — as a
gunicorn worker is forked from its master — and reports its time, its peak resident memory
(VmHWM, the worker's whole footprint, Django included) and the growth over the process it was
forked from.

The app runs as in production, with TASKS_BACKEND=database: a document too long for a request
(the log's PDF past 500 rows, long draft minutes) only queues a job and redirects to its status
page. That job is then run in its own forked process the way `manage.py db_worker` runs it (its
Worker claiming the queued task), and its time, peak memory and file are recorded. The whole
log's PDF job prints at most --job-rows rows (default 10,000, the first of the whole log: ~1 ms
a row of Typst's CPU, in two processes); the output says how many of how many it printed.
Results go to bench/scaling.json and a table to stdout (copied into docs/PERFORMANCE.md by hand).

How long: quietly, on 2 cores, the whole run (both databases, three sizes) took ~9 minutes with
the whole log printed by WeasyPrint (its 10,000-row job ~70 s); Typst prints it in ~10 s.
--job-rows 0 at 50,000 prints the whole log (~1 ms a row, pieces of 500 rows keep the memory flat).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    DEFAULT_PG,
    backend_of,
    bench_environment,
    drop_database,
    prepare_database,
    session_refreshed,
)

OUT = ROOT / "bench" / "scaling.json"
DOCUMENTS = [
    "agenda_pdf",
    "minutes_pdf",
    "minutes_docx",
    "minutes_pdf_typical",
    "minutes_docx_typical",
    "log_csv",
    "log_xlsx",
    "log_pdf",
    "log_pdf_open",
]
# The whole log's PDF job prints this many rows at most unless --job-rows says otherwise.
JOB_ROWS = 10_000
PAGES = ["log", "log_search", "log_page", "review", "meeting", "action"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", help="comma-separated action counts (default 1000,10000,50000)")
    parser.add_argument("--database-url", action="append", dest="urls")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--merge", action="store_true", help="keep bench/scaling.json's other runs")
    parser.add_argument(
        "--job-rows",
        type=int,
        default=JOB_ROWS,
        help=f"rows the whole log's PDF job prints at most (default {JOB_ROWS:,}; 0: all)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return generate(args) if args.generate else measure(args)

    sizes = [int(s) for s in (args.sizes or ("1000,10000" if args.quick else "1000,10000,50000")).split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="adoptboard-scaling-"))
    urls = args.urls or [f"sqlite:///{tmp}/scaling.sqlite3", DEFAULT_PG]
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "quick": args.quick,
        "tasks_backend": "database",
        "job_rows": args.job_rows,
        "runs": {},
    }
    if args.merge and OUT.exists():
        results["runs"] = json.loads(OUT.read_text())["runs"]
    began = time.perf_counter()
    for url in urls:
        backend = backend_of(url)
        for size in sizes:
            key = f"{backend}-{size}"
            out = tmp / f"{key}.json"
            print(f"\n=== {backend}, {size:,} actions ===", flush=True)
            base = [sys.executable, __file__, "--worker", str(size), "--out", str(out), "--database-url", url]
            base += ["--job-rows", str(args.job_rows)]
            # Production's task backend: long documents are queued for db_worker, not made in the request.
            env = bench_environment(url) | {"TASKS_BACKEND": "database", "MEDIA_ROOT": str(tmp / f"{key}-media")}
            try:
                seconds = {}
                for name, step in (("generate", ["--generate"]), ("measure", ["--quick"] * args.quick)):
                    t = time.perf_counter()
                    proc = subprocess.run(base + step, cwd=ROOT, env=env)
                    seconds[name] = round(time.perf_counter() - t, 1)
                    if proc.returncode != 0:
                        raise RuntimeError(f"exit {proc.returncode}")
                results["runs"][key] = json.loads(out.read_text()) | {"wall_seconds": seconds}
                print(f"  ({key}: generated in {seconds['generate']:.0f} s, measured in {seconds['measure']:.0f} s)")
            except RuntimeError as exc:
                print(f"!! {key} failed: {exc}", flush=True)
                results["runs"][key] = {"failed": str(exc)}
            finally:
                if not args.keep:
                    drop_database(url)
    results["wall_seconds"] = round(time.perf_counter() - began, 1)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nthe whole run took {results['wall_seconds'] / 60:.1f} minutes")
    print("\n" + table(results))
    return 0


def generate(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.data import SIZES, add_typical_meeting, generate

    url = args.urls[0]
    prepare_database(url)
    call_command("migrate", verbosity=0, interactive=False)
    n = int(args.worker)
    size = SIZES["large"].__class__(**{**SIZES["large"].__dict__, "actions": n, "boards": 5})
    t = time.perf_counter()
    info = generate(size)
    info["typical_meeting"] = add_typical_meeting()
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
                # The processes it started and waited for (the Typst log's typesetters): the
                # biggest one's peak, 0 for none.
                "helpers_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
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


def run_job(job_ids: list, *, whole_log: bool, cap: int) -> dict:
    """Run the queued job in a forked process as `manage.py db_worker` does (its Worker claims the
    task and calls it); its time, peak memory, and the export it filled in.

    The whole log's PDF job is cut to its first `cap` rows (0: none): the job prints the filtered
    log in full (about 1 ms a row of Typst's CPU), and 50,000 rows would add a minute for one figure."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from documents.models import LogExport, MinutesExport

    (task,) = DBTaskResult.objects.filter(pk__in=job_ids)
    model = LogExport if task.task_path.endswith("render_log_export") else MinutesExport
    export_id = task.args_kwargs["args"][0]
    before = model.objects.get(pk=export_id)

    def work():
        if whole_log and cap:
            from documents import tasks

            class FirstRows(tasks.ActionFilter):
                @property
                def qs(self):
                    # The first `cap` of the log's rows, still a queryset the job may order again.
                    whole = super().qs
                    return whole.filter(pk__in=whole.values("pk")[:cap])

            tasks.ActionFilter = FirstRows  # this forked process only
        call_command("db_worker", batch=True, max_tasks=1, startup_delay=False, reload=False, verbosity=0)

    row = in_child(work)
    task.refresh_from_db()
    export = model.objects.get(pk=export_id)
    return row | {
        "task_status": task.status,
        "status": export.status,
        "rows": export.rows,
        "rows_total": before.rows,
        "capped": export.rows < before.rows,
        "file_bytes": export.file.size if export.file else 0,
    }


def measure(args) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

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
    if typical := info.get("typical_meeting"):
        on_typical = {"slug": typical["board_slug"], "pk": typical["meeting_id"]}
        documents["minutes_pdf_typical"] = reverse("documents:meeting-minutes-pdf", kwargs=on_typical)
        documents["minutes_docx_typical"] = reverse("documents:meeting-minutes-docx", kwargs=on_typical)
    from documents.data import minutes_action_rows
    from meetings.models import Meeting

    # What each meeting's minutes print: past the thresholds in documents/views.py they are queued.
    result["minutes_rows"] = {"held": minutes_action_rows(Meeting.objects.select_related("board").get(pk=held))}
    if typical:
        typical_meeting = Meeting.objects.select_related("board").get(pk=typical["meeting_id"])
        result["minutes_rows"]["typical"] = minutes_action_rows(typical_meeting)
    print(f"  minutes' action rows: {result['minutes_rows']}", flush=True)
    client.get(pages["log"])  # templates loaded, connection open: what a warm worker has
    result["pages"] = {}
    reps = 3 if args.quick else 7
    for key, url in pages.items():
        session_refreshed(client)
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
            row = {"status": response.status_code, "bytes": body, "streamed": bool(response.streaming)}
            if response.status_code == 302:
                row["location"] = response["Location"]
            return row

        queued = set(DBTaskResult.objects.values_list("pk", flat=True))
        row = in_child(fetch)
        job_ids = list(DBTaskResult.objects.exclude(pk__in=queued).values_list("pk", flat=True))
        # Too long for a request: it queued a job and sent the member to the job's status page.
        row["background"] = bool(job_ids)
        result["documents"][key] = {"url": url, **row}
        if "error" in row:
            print(f"  {key:<20} error {row['error']}", flush=True)
            continue
        print(
            f"  {key:<20} {row['seconds']:7.2f} s  peak {row['peak_mb']:6.1f} MB  +{row['growth_mb']:6.1f} MB"
            f"  {row['bytes']:>10} bytes  ({row['status']}{', streamed' if row['streamed'] else ''}"
            f"{', queued a job' if job_ids else ''})",
            flush=True,
        )
        if job_ids:
            job = run_job(job_ids, whole_log=key == "log_pdf", cap=args.job_rows)
            result["documents"][key]["job"] = job
            if "error" in job:
                print(f"  {'  the job':<20} error {job['error']}", flush=True)
            else:
                print(
                    f"  {'  the job':<20} {job['seconds']:7.2f} s  peak {job['peak_mb']:6.1f} MB"
                    f"  +{job['growth_mb']:6.1f} MB  helpers {job['helpers_peak_mb']:6.1f} MB"
                    f"  {job['file_bytes']:>10} bytes  ({job['status']},"
                    f" {job['rows']:,} of {job['rows_total']:,} rows)",
                    flush=True,
                )
    result["parent_rss_mb"] = round(_rss_kb() / 1024, 1)
    result["job_rows"] = args.job_rows
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
            cells.append(f" {document_cell(row)} |")
        lines.append(f"| {doc} |" + "".join(cells))
    rows = "; ".join(
        f"{k} {v['minutes_rows'].get('held', '—')} and {v['minutes_rows'].get('typical', '—')}"
        for k, v in runs.items()
        if "minutes_rows" in v
    )
    return "\n".join(lines) + (
        "\n\nQueued: too long for a request, the request (time, worker's peak memory) only queued a job;"
        " the job, run as db_worker runs it: its time and peak memory (of N rows: the first N of the whole log)."
        f" Action rows in the minutes (the big board's last held meeting and a typical one): {rows}."
    )


def document_cell(row: dict) -> str:
    if "error" in row or not row:
        return row.get("error", "—")
    request = f"{row['seconds']:.2f} s, {row['peak_mb']:.0f} MB (+{row['growth_mb']:.0f})"
    if not row.get("background"):
        return request
    job = row.get("job", {})
    if "error" in job or not job:
        return f"queued in {request} (job: {job.get('error', '—')})"
    of = f", {job['rows']:,} of {job['rows_total']:,} rows" if job.get("capped") else f", {job['rows']:,} rows"
    done = "" if job["status"] == "done" else f", {job['status']}"
    helpers = f", its typesetters ≤ {job['helpers_peak_mb']:.0f} MB each" if job.get("helpers_peak_mb") else ""
    return f"queued in {request} (job: {job['seconds']:.1f} s, {job['peak_mb']:.0f} MB{helpers}{of}{done})"


if __name__ == "__main__":
    sys.exit(main())
