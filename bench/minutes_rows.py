#!/usr/bin/env python
"""What long draft minutes cost, and where documents/views.py's MINUTES_*_MAX_ROWS come from.

    python bench/minutes_rows.py --database-url sqlite:////tmp/b/scaling.sqlite3 --generate 50000
    python bench/minutes_rows.py --database-url sqlite:////tmp/b/scaling.sqlite3 rows --sizes 200,400,800
    python bench/minutes_rows.py --database-url sqlite:////tmp/b/scaling.sqlite3 requests

On the benchmark's data set (bench/data.py through bench/scaling.py's generator; the big board's
last held meeting prints ~4,400 action rows at 50,000 actions):

- **rows**: that meeting's minutes cut to N action rows (half under the items, half in the action
  log), rendered as PDF and Word `--reps` times each, in this process: the seconds per size.
- **requests**: the minutes PDF and Word of that meeting through Django's test client as the bench
  user, each in a process forked from a warm one (as gunicorn forks a worker): first rendered in
  the request (the thresholds raised out of reach: the code before the background job), then as
  it is (past the threshold the request only queues the job, TASKS_BACKEND=database), then the
  queued job run the way a `db_worker` runs it. Each: time to the response, peak resident memory
  (VmHWM) and growth over the parent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import bench_environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--generate", type=int, metavar="ACTIONS", help="make the data set first (drops the database)")
    parser.add_argument("what", nargs="?", choices=["rows", "requests"])
    parser.add_argument("--sizes", default="0,200,400,600,800,1000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inner:
        database = args.database_url.split(":///")[-1]
        # The jobs' files go next to the database, not into the project's media.
        env = bench_environment(args.database_url) | {"TASKS_BACKEND": "database", "MEDIA_ROOT": f"{database}-media"}
        info = Path(f"{database}.json")
        if args.generate:
            cmd = [sys.executable, str(ROOT / "bench" / "scaling.py"), "--worker", str(args.generate), "--generate"]
            subprocess.run([*cmd, "--out", str(info), "--database-url", args.database_url], env=env, check=True)
        if not args.what:
            return 0
        return subprocess.run([sys.executable, __file__, *sys.argv[1:], "--inner"], env=env, cwd=ROOT).returncode

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # a data set made before this code's migrations
    info = json.loads(Path(f"{args.database_url.split(':///')[-1]}.json").read_text())["data"]
    return rows(info, args) if args.what == "rows" else requests(info)


def rows(info: dict, args) -> int:
    from documents import data, pdf, word
    from meetings.models import Meeting

    meeting = Meeting.objects.select_related("board").get(pk=info["held_meeting_id"])
    pack = data.meeting_pack(meeting)
    under = [list(s.actions) for s in pack.items]
    log = list(pack.action_log)
    print(f"the meeting prints {sum(map(len, under))} rows under its items and {len(log)} in its log", flush=True)
    for n in (int(s) for s in args.sizes.split(",")):
        left = n // 2
        for scheduled, actions in zip(pack.items, under):
            scheduled.actions = actions[:left]
            left -= len(scheduled.actions)
        pack.action_log = log[: n - n // 2]
        for kind, render in (("pdf", pdf.minutes_pdf), ("docx", word.minutes_docx)):
            times = []
            for _ in range(args.reps):
                t = time.perf_counter()
                render(pack)
                times.append(time.perf_counter() - t)
            print(f"{kind:5} {n:6} rows  " + " ".join(f"{t:6.2f}" for t in times) + "  s", flush=True)
    return 0


def requests(info: dict) -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from bench.run import consume
    from bench.scaling import in_child
    from documents import data, tasks, views
    from documents.models import MinutesExport
    from meetings.models import Meeting

    meeting = Meeting.objects.select_related("board").get(pk=info["held_meeting_id"])
    print(f"the meeting prints {data.minutes_action_rows(meeting)} action rows", flush=True)
    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    client.get(reverse("meetings:meeting-detail", kwargs={"slug": meeting.board.slug, "pk": meeting.pk}))
    import weasyprint  # noqa: F401  (loaded in the parent, as in a worker that has served a PDF)

    limits = (views.MINUTES_PDF_MAX_ROWS, views.MINUTES_DOCX_MAX_ROWS)
    for kind in ("pdf", "docx"):
        url = reverse(f"documents:meeting-minutes-{kind}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk})
        for label, in_request in (("in the request (before)", True), ("as it is (after)", False)):
            views.MINUTES_PDF_MAX_ROWS, views.MINUTES_DOCX_MAX_ROWS = (10**9, 10**9) if in_request else limits

            def fetch(url=url):
                response = client.get(url)
                return {"status": response.status_code, "bytes": consume(response)}

            report(f"{kind} {label}", in_child(fetch))
        export = MinutesExport.objects.filter(kind=kind).order_by("-pk").first()
        if export is not None:
            report(
                f"{kind} the job (db_worker)",
                in_child(lambda pk=export.pk: {"result": tasks.render_minutes_export.call(pk)}),
            )
            export.refresh_from_db()
            print(
                f"    job {export.status}, {export.rows} rows, {export.file.size if export.file else 0} bytes",
                flush=True,
            )
    return 0


def report(label: str, row: dict) -> None:
    if "error" in row:
        print(f"{label:32} error {row['error']}", flush=True)
        return
    detail = ", ".join(f"{k} {v}" for k, v in row.items() if k not in ("seconds", "peak_mb", "growth_mb"))
    print(
        f"{label:32} {row['seconds']:7.2f} s  peak {row['peak_mb']:6.1f} MB  +{row['growth_mb']:6.1f} MB  ({detail})",
        flush=True,
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
