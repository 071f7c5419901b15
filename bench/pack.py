#!/usr/bin/env python
"""What building the board pack costs: time and peak memory for 10 papers / 100 pages and 30 / 300.

    python bench/pack.py                 # both sizes (about six minutes)
    python bench/pack.py --sizes 10      # one size

For each size a fresh process (SQLite in a temporary file, papers on this disk under a temporary
MEDIA_ROOT) builds a board like the demo's: a previous meeting with approved (frozen) minutes, 20 open
actions, and a meeting of 12 items whose papers are 10-page reports rendered once by WeasyPrint
(text, a table and a photograph-like image on page 1, so each paper weighs what a real one does).
It then asks for the pack through Django's test client as a member:

- **cold**: nothing stored, the pack is built (median of 3, the stored pack removed between);
  the first build's peak resident memory above what the process held before (Linux's VmHWM,
  reset through /proc/self/clear_refs);
- **cold, traced**: built once more under tracemalloc (Python's own allocations; slower, so its
  time is not reported);
- **stored**: served from the storage, nothing built (median of 3, then once traced).

Figures go to stdout as a Markdown table (docs/PERFORMANCE.md, "The board pack").
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
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PAGES_PER_PAPER = 10
DISTINCT_PAPERS = 5
ROUNDS = 3  # builds, stored requests and agenda PDFs per size: medians

if Path(sys.executable).resolve() != VENV_PYTHON.resolve() and VENV_PYTHON.exists():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM (the peak resident set) to the current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def paper_pdf(seed: int) -> bytes:
    """A 10-page report: headings, paragraphs, a table, and a noisy image that compresses badly."""
    import base64
    import io
    import random

    import weasyprint
    from PIL import Image

    rng = random.Random(seed)
    image = Image.effect_noise((900, 500), 60 + seed).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    words = [
        "adoption",
        "panel",
        "sufficiency",
        "matching",
        "placement",
        "support",
        "region",
        "board",
        "report",
        "outcome",
    ]
    parts = [
        "<style>@page { size: A4; margin: 20mm } h1 { font-size: 20pt } p { font-size: 10pt } "
        "section { break-after: page } table { border-collapse: collapse } td { border: 0.5pt solid #999 }</style>",
        f"<h1>Report {seed}</h1>",
        f'<img style="width: 160mm" src="data:image/jpeg;base64,{base64.b64encode(buffer.getvalue()).decode()}">',
    ]
    for page in range(1, PAGES_PER_PAPER + 1):
        body = " ".join(rng.choice(words) for _ in range(380 if page > 1 else 60))
        table = "".join(f"<tr><td>{rng.randint(1, 999)}</td><td>{rng.choice(words)}</td></tr>" for _ in range(8))
        parts.append(f"<section><h2>Part {page}</h2><p>{body}</p><table>{table}</table></section>")
    # WeasyPrint on its own: the app's documents fetch nothing but static files, a paper may hold images.
    content = weasyprint.HTML(string="<html><body>" + "".join(parts) + "</body></html>").write_pdf()
    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(content)).pages)
    assert pages == PAGES_PER_PAPER, pages
    return content


def measure(papers: int) -> dict:
    """In the child process, whose environment the parent set."""
    import datetime
    import hashlib
    import tracemalloc

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adoptboard.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from actions.services import action_raise
    from meetings.models import AgendaItem, Board, Meeting, Membership, Paper, Person, Role
    from meetings.services import minutes_approve

    setup_test_environment()
    call_command("migrate", verbosity=0)
    board = Board.objects.create(name="South East Region Adoption Leadership Board", slug="bench-board")
    user = get_user_model().objects.create_user(username="member", password="x")
    person = Person.objects.create(user=user, full_name="Kevin Yong", initials="KY")
    Membership.objects.create(board=board, person=person, role=Role.MEMBER)
    times = {"start_time": datetime.time(14), "end_time": datetime.time(16)}
    earlier = Meeting.objects.create(board=board, date=datetime.date(2030, 2, 23), **times)
    for n in range(1, 13):
        AgendaItem.objects.create(meeting=earlier, position=n, title=f"Item {n}", notes="Discussed. " * 60)
    for n in range(20):
        action_raise(board=board, text=f"Action {n}: share the findings with the group", whole_board=True)
    # Approved through the app: the minutes are frozen (a stored PDF), as the pack then binds them.
    secretary = get_user_model().objects.create_user(username="secretary", password="x")
    officer = Person.objects.create(user=secretary, full_name="Rebecca Eligon", initials="RE")
    Membership.objects.create(board=board, person=officer, role=Role.SECRETARY)
    minutes_approve(meeting=earlier, by=secretary)
    meeting = Meeting.objects.create(board=board, date=datetime.date(2030, 4, 17), **times)
    items = [
        AgendaItem.objects.create(meeting=meeting, position=n, title=f"Report to the board {n}") for n in range(1, 13)
    ]
    # Made by the parent, so the papers' rendering leaves nothing in this process's memory.
    sources = [Path(name).read_bytes() for name in sorted(Path(os.environ["BENCH_PAPERS"]).iterdir())]
    paper_bytes = 0
    for n in range(papers):
        content = sources[n % DISTINCT_PAPERS]
        paper_bytes += len(content)
        Paper.objects.create(
            item=items[n % len(items)], title=f"Annex {n + 1}", file=ContentFile(content, name=f"annex-{n + 1}.pdf")
        )

    client = Client()
    client.force_login(user)
    url = reverse("documents:meeting-pack-pdf", args=[board.slug, meeting.pk])

    def fetch() -> tuple[float, int, str]:
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        digest, size = hashlib.sha256(), 0
        for chunk in response.streaming_content:  # checked, not kept
            digest.update(chunk)
            size += len(chunk)
        response.close()
        return time.perf_counter() - started, size, digest.hexdigest()

    def drop_stored() -> None:
        folder = f"packs/{board.slug}/{meeting.pk}"
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")

    # For scale: the agenda PDF alone (one WeasyPrint document), after a first request pays the imports.
    agenda_url = reverse("documents:meeting-agenda-pdf", args=[board.slug, meeting.pk])
    client.get(agenda_url)
    agenda = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        client.get(agenda_url)
        agenda.append(time.perf_counter() - started)

    rss_before = status_kb("VmRSS")
    reset_peak_rss()
    seconds, size, first = fetch()
    rss_peak = status_kb("VmHWM") - rss_before
    cold = [seconds]
    for _ in range(ROUNDS - 1):
        drop_stored()
        cold.append(fetch()[0])

    drop_stored()
    tracemalloc.start()
    fetch()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    stored = [fetch()[0] for _ in range(ROUNDS)]
    rss_before = status_kb("VmRSS")
    reset_peak_rss()
    tracemalloc.start()
    _, _, again = fetch()
    stored_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    stored_rss = status_kb("VmHWM") - rss_before
    assert again == first

    import io

    import pypdf

    body = b"".join(client.get(url).streaming_content)
    pages = len(pypdf.PdfReader(io.BytesIO(body)).pages)
    mb = 1024 * 1024
    return {
        "papers": papers,
        "pages": pages,
        "papers_mb": round(paper_bytes / mb, 1),
        "pack_mb": round(size / mb, 1),
        "cold_s": round(statistics.median(cold), 1),
        "agenda_ms": round(statistics.median(agenda) * 1000),
        "cold_rss_peak_mb": round(rss_peak / 1024),
        "cold_traced_peak_mb": round(traced_peak / mb),
        "stored_ms": round(statistics.median(stored) * 1000),
        "stored_rss_peak_mb": round(stored_rss / 1024),
        "stored_traced_peak_mb": round(stored_traced / mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30], help="papers per pack (10 pages each)")
    args = parser.parse_args()
    rows = []
    for papers in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "papers").mkdir()
            for seed in range(DISTINCT_PAPERS):
                Path(tmp, "papers", f"{seed}.pdf").write_bytes(paper_pdf(seed))
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(
                {
                    "DEBUG": "1",
                    "AXES_ENABLED": "0",
                    "MEDIA_ROOT": f"{tmp}/media",
                    "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                    "BENCH_PAPERS": f"{tmp}/papers",
                }
            )
            result = subprocess.run(
                [sys.executable, __file__, "--child", str(papers)], env=env, capture_output=True, text=True, check=False
            )
            if result.returncode:
                raise SystemExit(result.stderr)
            rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    print(f"{os.cpu_count()} cores; papers on this disk; one request at a time")
    print(
        "| papers / pages | papers' size | pack size | build s | build: peak RSS above start | "
        "build: peak Python (tracemalloc) | stored: ms | stored: peak RSS | stored: peak Python | agenda.pdf alone ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['papers']} / {r['pages']} | {r['papers_mb']} MB | {r['pack_mb']} MB | {r['cold_s']} "
            f"| {r['cold_rss_peak_mb']} MB | {r['cold_traced_peak_mb']} MB | {r['stored_ms']} "
            f"| {r['stored_rss_peak_mb']} MB | {r['stored_traced_peak_mb']} MB | {r['agenda_ms']} |"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main()
