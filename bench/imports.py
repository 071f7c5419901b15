#!/usr/bin/env python
"""The action-log import measured: a Word file's peak memory, and re-importing 5,000 changed rows.

    python bench/imports.py                    # both, on SQLite and PostgreSQL
    python bench/imports.py --memory           # only the Word file's memory
    python bench/imports.py --database-url postgres://postgres@127.0.0.1:5432/adoptboard_bench

**Memory**: a 3.8 MB .docx whose one table has 5,000 rows and whose action cells are written as
many small runs (as Word writes text that was edited a lot): about 45 MB of XML. A fresh process
reads it with `read_file` and reports its resident memory before, at its peak (ru_maxrss) and
after, and the Python-level peak (tracemalloc, a second run: it slows allocation down).

**Re-import**: a fresh database (its name must contain "bench": it is dropped and recreated; SQLite
runs in a temporary file), one board and one member; 5,000 rows imported once, then the same
5,000 rows with every status and every text changed imported again. Each step's wall time and
queries are printed, with the time of reading and planning the file (the preview) apart.

Nothing is written to the repository: copy the figures into docs/PERFORMANCE.md by hand.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import DEFAULT_PG, backend_of, bench_environment, drop_database, prepare_database  # noqa: E402

ROWS = 5000
WORDS = [
    "review",
    "adoption",
    "panel",
    "placement",
    "sibling",
    "early",
    "permanence",
    "kinship",
    "matching",
    "support",
    "report",
    "data",
    "quarter",
    "agency",
    "regional",
    "board",
    "children",
    "family",
    "assessment",
    "training",
    "recruitment",
    "carers",
    "leaflet",
    "budget",
    "figures",
]


# --------------------------------------------------------------------------- the files


def heavy_docx(rows: int = ROWS, runs_per_cell: int = 160, seed: int = 7) -> bytes:
    """A Word log of `rows` rows whose action text is `runs_per_cell` runs of one word each."""
    rnd = random.Random(seed)

    def cell(*runs: str) -> str:
        return (
            "<w:tc><w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{r} </w:t></w:r>' for r in runs) + "</w:p></w:tc>"
        )

    parts = [cell("No."), cell("Action"), cell("Responsible"), cell("Date issued"), cell("Status")]
    out = ["<w:tr>" + "".join(parts) + "</w:tr>"]
    for n in range(1, rows + 1):
        words = [f"{rnd.choice(WORDS)}{rnd.randrange(10000)}" for _ in range(runs_per_cell)]
        out.append("<w:tr>" + cell(str(n)) + cell(*words) + cell("MH") + cell("Feb 2024") + cell("Open") + "</w:tr>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f"<w:tbl>{''.join(out)}</w:tbl></w:body></w:document>"
    ).encode()
    import docx

    base = io.BytesIO()
    docx.Document().save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = xml if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, content)
    return result.getvalue()


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), in MB.

    Not ru_maxrss: Linux carries that over an exec from the forked parent, whose peak (building
    the test file) it would report."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def read_in_this_process(path: str, trace: bool) -> dict:
    """Run in a fresh process: read the file once and report memory."""
    import gc
    import tracemalloc

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adoptboard.settings")
    import django

    django.setup()
    from actions.importing import ImportRefused, read_file

    data = Path(path).read_bytes()
    # What a worker has loaded before the first import: the readers' libraries too.
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    before = rss_mb()
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    parsed = None
    try:
        parsed = read_file("log.docx", data)
        outcome = f"{len(parsed.rows)} rows"
    except ImportRefused as refusal:
        outcome = f"refused: {refusal.code}"
    seconds = time.perf_counter() - t
    if trace:  # tracemalloc slows allocation down: only its peak is worth keeping
        return {"tracemalloc_peak_mb": round(tracemalloc.get_traced_memory()[1] / 2**20, 1)}
    del parsed
    gc.collect()
    return {
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(rss_mb("VmHWM"), 1),
        "rss_after_mb": round(rss_mb(), 1),
    }


def measure_memory() -> dict:
    data = heavy_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml_mb = archive.getinfo("word/document.xml").file_size / 2**20
    with tempfile.NamedTemporaryFile(suffix=".docx", delete=False) as fh:
        fh.write(data)
        path = fh.name
    try:
        out = {"file_mb": round(len(data) / 2**20, 2), "document_xml_mb": round(xml_mb, 1)}
        for trace in (False, True):
            proc = subprocess.run(
                [sys.executable, __file__, "--read", path] + ["--trace"] * trace,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "adoptboard.settings"},
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
            out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        return out
    finally:
        os.unlink(path)


# --------------------------------------------------------------------------- re-importing


def csv_of(rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["No.", "Action", "Responsible", "Date issued", "Status"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def reimport_worker(url: str) -> dict:
    os.environ.update(bench_environment(url))
    prepare_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.importing import preview_import, read_file
    from actions.models import ActionUpdate
    from actions.services import actions_import
    from meetings.models import Board, Membership, Person, Role

    out: dict = {"backend": backend_of(url)}
    try:
        call_command("migrate", verbosity=0, interactive=False)
        board = Board.objects.create(name="Bench import board", slug="bench-import", short_name="Bench")
        for initials in ("MH", "RE"):
            Membership.objects.create(board=board, person=Person.objects.create(initials=initials), role=Role.MEMBER)
        first = [
            [str(n), f"Action {n}: send the quarterly figures", "MH", "Feb 2024", "Open"] for n in range(1, ROWS + 1)
        ]
        changed = [[n, text + " Report back in July.", "RE", issued, "In progress"] for n, text, _, issued, _ in first]
        for step, rows in (("create", first), ("reimport_changed", changed)):
            data = csv_of(rows)
            t = time.perf_counter()
            parsed = read_file("log.csv", data)
            preview = preview_import(board=board, rows=parsed.rows)
            preview_s = time.perf_counter() - t
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                result = actions_import(
                    board=board, rows=parsed.rows, create_people=False, expected_fingerprint=preview.fingerprint()
                )
                seconds = time.perf_counter() - t
            out[step] = {
                "rows": len(rows),
                "read_and_plan_s": round(preview_s, 2),
                "import_s": round(seconds, 2),
                "queries": len(ctx.captured_queries),
                "created": result.created,
                "updated": result.updated,
            }
            print(f"  {out['backend']:<10} {step:<17} {json.dumps(out[step])}", flush=True)
        out["updates_recorded"] = ActionUpdate.objects.count()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory", action="store_true", help="only the Word file's memory")
    parser.add_argument("--reimport", action="store_true", help="only the re-import")
    parser.add_argument("--database-url", action="append", dest="urls", metavar="URL")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        print(json.dumps(read_in_this_process(args.read, args.trace)))
        return 0
    if args.worker:
        print(json.dumps(reimport_worker(args.worker)))
        return 0
    results = {}
    if not args.reimport:
        results["memory"] = measure_memory()
        print("memory:", json.dumps(results["memory"]), flush=True)
    if not args.memory:
        tmp = Path(tempfile.mkdtemp(prefix="adoptboard-bench-import-"))
        urls = args.urls or [f"sqlite:///{tmp}/bench.sqlite3", DEFAULT_PG]
        for url in urls:
            if backend_of(url) == "postgresql" and "bench" not in url.rsplit("/", 1)[-1]:
                parser.error(f"the database in {url} will be dropped and recreated: its name must contain 'bench'")
            proc = subprocess.run([sys.executable, __file__, "--worker", url], capture_output=True, text=True, cwd=ROOT)
            sys.stdout.write(proc.stdout)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                return 1
            results[backend_of(url)] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
