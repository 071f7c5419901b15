#!/usr/bin/env python
"""The background job of the benchmark's longest draft minutes, alone, as bench/scaling.py runs it.

    python bench/minutes_rows.py --database-url sqlite:////tmp/b/scaling.sqlite3 --generate 50000
    python bench/minutes_job.py --database-url sqlite:////tmp/b/scaling.sqlite3 --kind pdf --reps 3 --chunk 300

Each repetition asks for the big board's last held meeting's minutes through the test client
(past the threshold the request only queues the job, TASKS_BACKEND=database), then runs the job
in a forked process the way `manage.py db_worker` does (bench/scaling.py's run_job): its time and
peak resident memory (VmHWM), in a parent that has loaded WeasyPrint as scaling.py's has. `--chunk`
sets documents.pdf.MINUTES_CHUNK_ROWS (the rows of a piece). The whole scaling run takes 9+ min;
this is the minutes' row of it in a minute or two.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import bench_environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--kind", choices=["pdf", "docx"], default="pdf")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--chunk", type=int, help="documents.pdf.MINUTES_CHUNK_ROWS for these runs")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = args.database_url.split(":///")[-1]
    if not args.inner:
        env = bench_environment(args.database_url) | {"TASKS_BACKEND": "database", "MEDIA_ROOT": f"{database}-media"}
        return subprocess.run([sys.executable, __file__, *sys.argv[1:], "--inner"], env=env, cwd=ROOT).returncode

    import json

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from bench.scaling import run_job
    from documents import data, pdf
    from meetings.models import Meeting

    call_command("migrate", verbosity=0, interactive=False)
    info = json.loads(Path(f"{database}.json").read_text())["data"]
    if args.chunk is not None:
        pdf.MINUTES_CHUNK_ROWS = args.chunk
    meeting = Meeting.objects.select_related("board").get(pk=info["held_meeting_id"])
    print(f"the meeting prints {data.minutes_action_rows(meeting)} action rows", flush=True)
    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    url = reverse(f"documents:meeting-minutes-{args.kind}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk})
    import weasyprint  # noqa: F401  (loaded in the parent, as scaling.py's parent has)

    rows = []
    for _ in range(args.reps):
        queued = set(DBTaskResult.objects.values_list("pk", flat=True))
        assert client.get(url).status_code == 302, "the minutes were not queued"
        row = run_job(
            list(DBTaskResult.objects.exclude(pk__in=queued).values_list("pk", flat=True)), whole_log=False, cap=0
        )
        if "error" in row:
            print(f"error {row['error']}", flush=True)
            return 1
        rows.append(row)
        print(
            f"{args.kind} job {row['seconds']:7.2f} s  peak {row['peak_mb']:6.1f} MB  +{row['growth_mb']:6.1f} MB"
            f"  {row['file_bytes']:>9} bytes  ({row['status']}, {row['rows']} rows)",
            flush=True,
        )
    for key, unit in (("seconds", "s"), ("peak_mb", "MB")):
        values = [r[key] for r in rows]
        print(f"{key:8} median {statistics.median(values):7.2f} {unit}  (min {min(values)}, max {max(values)})")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
