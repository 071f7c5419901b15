#!/usr/bin/env python
"""The whole action log's PDF job at 10,000 rows (documents/typeset.py), end to end in-process.

    python bench/log_pdf.py --generate                 # once: the bench data set, big board of 10,000 actions
    python bench/log_pdf.py --runs 3                   # the job 3 times, each in a fresh process
    python bench/log_pdf.py --runs 3 --piece-rows 1000 # another piece size

Each run is a fresh process that starts Django, then calls the task's render (the query, the
typesetting in pieces, the joining and numbering into a temporary file) for the big board's whole
log: its time, its peak resident memory (ru_maxrss, Django included) and the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import bench_environment, prepare_database  # noqa: E402

DEFAULT_URL = "sqlite:////tmp/adoptboard-log-pdf.sqlite3"


def generate(url: str, actions: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.data import SIZES
    from bench.data import generate as generate_data

    prepare_database(url)
    call_command("migrate", verbosity=0, interactive=False)
    size = SIZES["large"].__class__(**{**SIZES["large"].__dict__, "actions": actions, "boards": 2})
    t = time.perf_counter()
    info = generate_data(size)
    print(f"generated {info['counts']} in {time.perf_counter() - t:.1f} s", flush=True)


def run_once(piece_rows: int | None, processes: int | None) -> dict:
    import django

    django.setup()
    from django.db.models import Count

    from documents import tasks, typeset
    from documents.models import LogExport
    from meetings.models import Board

    if piece_rows:
        typeset.PIECE_ROWS = piece_rows
    if processes:
        typeset.PROCESSES = processes
    board = Board.objects.annotate(n=Count("actions")).order_by("-n").first()
    member = board.memberships.select_related("person__user").first().person.user
    export = LogExport.objects.create(board=board, requested_by=member, query="", rows=0)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = os.times()
    t = time.perf_counter()
    out, rows = tasks.log_export_render(export)
    seconds = time.perf_counter() - t
    used = os.times()
    size = out.seek(0, os.SEEK_END)
    out.close()
    export.delete()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "peak_before_mb": before // 1024,
        # The forked typesetters' (the largest one's), when there are any.
        "peak_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        "cpu_s": round(sum(used[:4]) - sum(cpu[:4]), 1),
        "processes": typeset.PROCESSES,
        "file_mb": round(size / 1e6, 2),
        "piece_rows": typeset.PIECE_ROWS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--piece-rows", type=int, default=0)
    parser.add_argument("--processes", type=int, default=0)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.update(bench_environment(args.database_url))
    if args.generate:
        generate(args.database_url, args.actions)
        return 0
    if args.once:
        print(json.dumps(run_once(args.piece_rows, args.processes)))
        return 0
    results = []
    for _ in range(args.runs):
        command = [sys.executable, __file__, "--once", "--database-url", args.database_url]
        command += ["--piece-rows", str(args.piece_rows), "--processes", str(args.processes)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    for key in ("seconds", "peak_mb", "peak_child_mb"):
        values = [r[key] for r in results]
        print(f"{key}: median {statistics.median(values)}, min {min(values)}, max {max(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
