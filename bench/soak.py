#!/usr/bin/env python
"""AdoptBoard's soak: 20 members reading and 3 editors writing for 2 minutes, then a reckoning.

    python bench/soak.py                       # PostgreSQL, 2 minutes (about 3 minutes in all)
    python bench/soak.py --seconds 30 --no-docs
    python bench/soak.py --database-url postgres://postgres@127.0.0.1:5432/adoptboard_soak

It builds a prepared data set in a fresh PostgreSQL database (bench/data.py's generator: 4
boards, 2,000 actions on the big board with 3 updates each) and serves the app with gunicorn
(3 sync workers, recycled by --max-requests as in production, bound to 127.0.0.1 only) with
production settings (DEBUG=0). Twenty members log in and read — the dashboard, the board, meeting
pages, the action log (first page, filtered, searched, paged), single actions with their history,
their own actions, the forward plan, the CSV and Excel exports, the agenda PDF and the Word
minutes — while three editors (the secretary, chair and vice chair) log in and write, taking
CSRF tokens and versions from the pages as a browser does: progress updates on actions, minutes
saved on the held meeting's items, actions raised there. It stops by itself after --seconds.

Then it checks, with the server stopped:
- no response was a 5xx and no request failed to connect or timed out; no traceback in the log;
- no lost write: every write the client saw acknowledged (302) is in the database with its
  history row (and the action's or item's history row at the version the write made); every
  write refused as stale (409) left nothing; raised actions took distinct, contiguous numbers;
- each gunicorn worker's memory (VmRSS from /proc/<pid>/status, sampled every second) is flat
  after warm-up: once a worker has served each kind of page (the warm-up sends every kind, one per
  worker, and each document ten times, before the clock starts), the last third of its life sets no high more than
  5 MB above the highest before it (see memory_report).

The database named in the URL is DROPPED and recreated (its name must contain "soak"). Results go
to bench/soak-results.json and the summary into docs/SECURITY.md between its soak markers.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import http.cookies
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/adoptboard_soak"
RESULTS = ROOT / "bench" / "soak-results.json"
SECURITY_MD = ROOT / "docs" / "SECURITY.md"
MARK_START, MARK_END = "<!-- soak:results:start -->", "<!-- soak:results:end -->"
MEMORY_GROWTH_LIMIT_MB = 5.0

sys.path.insert(0, str(ROOT))

# bench.run re-executes this script with the project's venv when `python` has no Django.
from bench.run import FormFields, bench_environment, drop_database, free_port, prepare_database  # noqa: E402

READERS, EDITORS = 20, 3


# =============================================================================================
# The data set
# =============================================================================================


def build(url: str) -> dict:
    """Migrate the fresh database and fill it; return what the clients need to find their way."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from actions.models import Action, Status
    from bench.data import BENCH_PASSWORD, BENCH_USERNAME, Size, generate
    from meetings.models import Board, Meeting, MeetingStatus, Membership, Person, Role

    call_command("migrate", verbosity=0)
    size = Size(
        boards=4, members=15, meetings=16, upcoming=3, items=10, actions=2000, updates=3, open_actions=150, topics=6
    )
    info = generate(size)
    board = Board.objects.get(slug=info["board_slug"])
    User = get_user_model()
    password = User.objects.get(username=BENCH_USERNAME).password  # the same hash for everyone
    # The big board's members, plus a few more so that twenty members read it.
    seats = list(Membership.objects.filter(board=board, role=Role.MEMBER).select_related("person__user"))
    extra = READERS - len(seats)
    users = User.objects.bulk_create(User(username=f"soak-reader-{k:02d}", password=password) for k in range(extra))
    people = Person.objects.bulk_create(
        Person(user=u, full_name=f"Soak Reader {k}", initials=f"SR{k}", organisation="Soak")
        for k, u in enumerate(users)
    )
    Membership.objects.bulk_create(Membership(board=board, person=p, role=Role.MEMBER) for p in people)
    readers = [m.person.user.username for m in seats] + [u.username for u in users]
    editors = [BENCH_USERNAME] + [
        m.person.user.username
        for m in Membership.objects.filter(board=board, role__in=[Role.CHAIR, Role.VICE_CHAIR]).select_related(
            "person__user"
        )
    ]
    held = Meeting.objects.get(pk=info["held_meeting_id"])
    assert held.status == MeetingStatus.HELD, held.status
    plan = {
        "slug": board.slug,
        "password": BENCH_PASSWORD,
        "readers": readers[:READERS],
        "editors": editors[:EDITORS],
        "meetings": list(Meeting.objects.filter(board=board).values_list("pk", flat=True)),
        "held_meeting": held.pk,
        "review_meeting": info["review_meeting_id"],
        "actions": size.actions,
        "open_numbers": list(
            Action.objects.filter(board=board, status__in=[Status.OPEN, Status.IN_PROGRESS]).values_list(
                "number", flat=True
            )
        ),
        "next_number_before": board.next_action_number,
        "counts": info["counts"],
    }
    connections.close_all()
    return plan


# =============================================================================================
# The clients: a browser's worth of HTTP (cookies, CSRF tokens, forms), no redirects followed
# =============================================================================================


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def forms_of(page: str) -> list[dict]:
    """Each form's action and the fields a browser would send unchanged (bench/run.py's parser)."""
    parser = FormFields()
    parser.feed(page)
    for form in parser.forms:
        form["fields"] = {k: v for k, v in form["fields"].items() if v is not None}
    return parser.forms


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    times: dict = field(default_factory=lambda: defaultdict(list))
    failures: list = field(default_factory=list)

    def record(self, kind: str, status: int, seconds: float, path: str) -> None:
        with self.lock:
            self.statuses[kind][status] += 1
            self.times[kind].append(seconds)
            if status == 0 or status >= 500:
                self.failures.append({"kind": kind, "status": status, "path": path, "at": time.time()})


class Browser:
    def __init__(self, base: str, stats: Stats):
        self.base, self.stats, self.cookies = base, stats, {}

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, bytes]:
        # Cookies by hand: with DEBUG=0 they are marked Secure, and this is plain HTTP on loopback.
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        started = time.perf_counter()
        try:
            with OPENER.open(request, timeout=60) as response:
                status, content, reply = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, content, reply = exc.code, exc.read(), exc.headers
        except (OSError, http.client.HTTPException):
            status, content, reply = 0, b"", None
        self.stats.record(kind, status, time.perf_counter() - started, path)
        for header in reply.get_all("Set-Cookie") or [] if reply else []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return status, content

    def page(self, kind: str, path: str) -> tuple[int, str]:
        status, content = self.request(kind, path)
        return status, content.decode("utf-8", "replace")

    def login(self, username: str, password: str) -> None:
        _, text = self.page("login", "/accounts/login/")
        form = next(f for f in forms_of(text) if "password" in f["fields"])
        status, _ = self.request(
            "login",
            "/accounts/login/",
            {**form["fields"], "username": username, "password": password},
        )
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


@dataclass
class Write:
    kind: str  # update, minutes, raise
    editor: str
    text: str
    status: int = -1
    target: int = 0  # action number or agenda item id
    version_after: int = 0


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.writes: list[Write] = []

    def add(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)


def read_kinds(plan: dict, rng: random.Random) -> list[tuple[float, str, Callable[[], str]]]:
    """What members read: (weight, kind, a function giving a path), the exports and documents rarer."""
    base = f"/boards/{plan['slug']}"
    return [
        (3, "dashboard", lambda: "/"),
        (2, "board", lambda: f"{base}/"),
        (3, "meeting", lambda: f"{base}/meetings/{rng.choice(plan['meetings'])}/"),
        (3, "action log", lambda: f"{base}/actions/"),
        (1, "action log filtered", lambda: f"{base}/actions/?status=open&status=in_progress"),
        (1, "action log search", lambda: f"{base}/actions/?q=kinship"),
        (1, "action log page", lambda: f"{base}/actions/?page={rng.randint(2, 20)}"),
        (3, "action", lambda: f"{base}/actions/{rng.randint(1, plan['actions'])}/"),
        (1, "my actions", lambda: "/my/actions/"),
        (1, "forward plan", lambda: f"{base}/forward-plan/"),
        (0.6, "export csv", lambda: f"{base}/actions/export.csv?status=open&status=in_progress"),
        (0.4, "export xlsx", lambda: f"{base}/actions/export.xlsx?status=open&status=in_progress"),
        (0.3, "agenda pdf", lambda: f"{base}/meetings/{plan['review_meeting']}/agenda.pdf"),
        (0.3, "minutes docx", lambda: f"{base}/meetings/{plan['held_meeting']}/minutes.docx"),
    ]


# A worker's first request of each of these imports a library (WeasyPrint, python-docx, openpyxl)
# or fills a cache: a step in its memory, not a leak. Its warm-up ends when it has served each.
WARMING = {
    "agenda pdf": re.compile(r"/agenda\.pdf$"),
    "minutes docx": re.compile(r"/minutes\.docx$"),
    "export xlsx": re.compile(r"/export\.xlsx$"),
    "export csv": re.compile(r"/export\.csv$"),
    "page": re.compile(r"/$"),
}


def reader(browser: Browser, plan: dict, username: str, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    browser.login(username, plan["password"])
    choices = read_kinds(plan, rng)
    weights = [w for w, _, _ in choices]
    while not stop.is_set():
        _, kind, path = rng.choices(choices, weights)[0]
        browser.request(kind, path())
        stop.wait(rng.uniform(0.05, 0.3))


def warm_up(browser: Browser, plan: dict, workers: int, rounds: int) -> None:
    """Every kind of read, `workers` at a time, so each worker (busy with one, it accepts no other)
    gets one; the documents `rounds` times. A worker's memory reaches its working level only after
    several documents: WeasyPrint leaves reference cycles that Python's collector frees every few
    renders (RSS saws up by about 2.5 MB a PDF and drops back), and the Word and Excel writers'
    arenas grow over the first ten or so (measured in one process: 25 agenda PDFs swing between
    117 and 130 MB; 25 Word minutes climb from 124 to a 136-139 MB plateau by the tenth)."""
    rng = random.Random(0)
    for _weight, kind, path in read_kinds(plan, rng):
        for _ in range(rounds if kind in WARMING else 1):
            threads = [threading.Thread(target=browser.request, args=("warm-up", path())) for _ in range(workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)


def editor(browser: Browser, plan: dict, username: str, stop: threading.Event, seed: int, ledger: Ledger) -> None:
    rng = random.Random(seed)
    slug = plan["slug"]
    browser.login(username, plan["password"])
    meeting_path = f"/boards/{slug}/meetings/{plan['held_meeting']}/"
    seq = 0
    while not stop.is_set():
        seq += 1
        kind = rng.choices(["update", "minutes", "raise"], [2, 2, 1])[0]
        text = f"soak {username} {kind} {seq} {rng.getrandbits(32):08x}"
        if kind == "update":
            number = rng.choice(plan["open_numbers"])
            path = f"/boards/{slug}/actions/{number}/"
            status, page = browser.page("editor: action page", path)
            form = (
                next((f for f in forms_of(page) if f["action"].endswith("/updates/")), None) if status == 200 else None
            )
            if form is None:
                continue
            data = {**form["fields"], "note": text, "status_after": rng.choice(["open", "in_progress"])}
            write = Write("update", username, text, target=number, version_after=int(data["version"]) + 1)
            write.status, _ = browser.request("editor: progress update", form["action"], data)
        else:
            status, page = browser.page("editor: meeting page", meeting_path)
            if status != 200:
                continue
            suffix = "/minutes/" if kind == "minutes" else "/actions/"
            candidates = [f for f in forms_of(page) if f["action"].endswith(suffix) and "/items/" in f["action"]]
            if not candidates:
                continue
            form = rng.choice(candidates)
            item = int(re.search(r"/items/(\d+)/", form["action"]).group(1))
            data = dict(form["fields"])
            if kind == "minutes":
                data[f"minutes-{item}-notes"] = text
                write = Write(
                    "minutes", username, text, target=item, version_after=int(data[f"minutes-{item}-version"]) + 1
                )
                write.status, _ = browser.request("editor: minutes save", form["action"], data)
            else:
                data[f"action-{item}-text"] = text  # responsible: the list's first person, as the form offers
                write = Write("raise", username, text, target=item)
                write.status, _ = browser.request("editor: raise action", form["action"], data)
        ledger.add(write)
        stop.wait(rng.uniform(0.2, 0.6))


# =============================================================================================
# Memory: every gunicorn worker's resident set, once a second
# =============================================================================================


def workers_of(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def sample_memory(master: int, started: float, stop: threading.Event, samples: dict) -> None:
    while not stop.is_set():
        now = time.monotonic() - started
        for pid in workers_of(master):
            rss = rss_mb(pid)
            if rss is not None:
                samples.setdefault(pid, []).append((round(now, 1), round(rss, 1)))
        stop.wait(1.0)


def warmed_at(access: list[dict]) -> dict[int, float]:
    """Per worker, when (seconds into the run) it had served the first of every kind in WARMING it serves."""
    first: dict[int, dict[str, float]] = defaultdict(dict)
    for line in access:
        for kind, pattern in WARMING.items():
            if pattern.search(line["path"]):
                first[line["pid"]].setdefault(kind, line["at"])
    return {pid: max(kinds.values()) for pid, kinds in first.items()}


def memory_report(samples: dict, warm: dict[int, float], clock_started: float) -> list[dict]:
    """Per worker: RSS once warm (see WARMING) and at the end, and the growth between.

    A worker is judged from the end of its warm-up (the warm-up round for the first workers; for a
    worker started later, its first request of each kind in WARMING; at least 10 s into its life) to its last
    sample: the highest RSS of the last third of that span may not pass the highest before it by
    more than MEMORY_GROWTH_LIMIT_MB. Peaks, because the allocator keeps and returns whole arenas
    after a large document (RSS steps down and up again by 3-4 MB), while a leak keeps setting new
    highs. The medians of the first and last thirds and the least-squares trend are reported beside
    it. A worker with under 30 s left to judge (recycled by --max-requests, or warmed late) is
    listed but not judged.
    """
    rows = []
    for pid, series in sorted(samples.items(), key=lambda kv: kv[1][0][0]):
        born, died = series[0][0], series[-1][0]
        since = max(warm.get(pid, born), born + 10, clock_started if born < clock_started else 0)
        row = {
            "pid": pid,
            "from_s": born,
            "to_s": died,
            "warm_s": warm.get(pid),
            "judged_from_s": round(since, 1),
            "first_mb": series[0][1],
            "peak_mb": max(r for _, r in series),
        }
        settled = [(t, r) for t, r in series if t >= since]
        if died - since >= 30 and len(settled) >= 12:
            # Medians of the first and last thirds: the allocator's swings (a PDF's layout takes
            # and gives back megabytes) are noise; a leak moves the whole last third up.
            third = len(settled) // 3
            row["after_warmup_mb"] = round(statistics.median(r for _, r in settled[:third]), 1)
            row["end_mb"] = round(statistics.median(r for _, r in settled[-third:]), 1)
            row["growth_mb"] = round(row["end_mb"] - row["after_warmup_mb"], 1)
            row["new_peak_mb"] = round(max(r for _, r in settled[-third:]) - max(r for _, r in settled[:-third]), 1)
            slope = statistics.linear_regression([t for t, _ in settled], [r for _, r in settled]).slope
            row["trend_mb_per_min"] = round(60 * slope, 2)
            row["flat"] = row["new_peak_mb"] <= MEMORY_GROWTH_LIMIT_MB
        rows.append(row)
    return rows


def read_access_log(path: Path, wall_started: float) -> list[dict]:
    """gunicorn's access log as written with ACCESS_FORMAT: pid, status, method, path, ms, when (s into the run)."""
    lines = []
    if not path.exists():
        return lines
    for line in path.read_text().splitlines():
        match = re.match(r"<(\d+)> (\d{3}) (\S+) (\S+) (\d+) \[([^\]]+)\]", line)
        if match:
            pid, status, method, url, ms, when = match.groups()
            at = datetime.datetime.strptime(when, "%d/%b/%Y:%H:%M:%S %z").timestamp() - wall_started
            lines.append(
                {"pid": int(pid), "status": int(status), "method": method, "path": url, "ms": int(ms), "at": at}
            )
    return lines


# =============================================================================================
# The reckoning: every acknowledged write is in the database, with its history
# =============================================================================================


def verify(plan: dict, ledger: Ledger) -> dict:
    from actions.models import Action, ActionUpdate
    from meetings.models import AgendaItem, Board

    board = Board.objects.get(slug=plan["slug"])
    acked = [w for w in ledger.writes if w.status == 302]
    stale = [w for w in ledger.writes if w.status == 409]
    other = [w for w in ledger.writes if w.status not in (302, 409)]
    lost, unhistoried, leaked = [], [], []
    for w in acked:
        if w.kind == "update":
            present = ActionUpdate.objects.filter(action__board=board, action__number=w.target, note=w.text).count()
            history = ActionUpdate.history.filter(note=w.text, history_type="+").count() == 1 and (
                Action.history.filter(board_id=board.pk, number=w.target, version=w.version_after).count() == 1
            )
        elif w.kind == "minutes":
            present = AgendaItem.history.filter(id=w.target, version=w.version_after, notes=w.text).count()
            history = present == 1
        else:
            present = Action.objects.filter(board=board, text=w.text, agenda_item_id=w.target).count()
            history = Action.history.filter(text=w.text, history_type="+").count() == 1
        if present != 1:
            lost.append({"kind": w.kind, "text": w.text, "found": present})
        elif not history:
            unhistoried.append({"kind": w.kind, "text": w.text})
    # A refused write leaves nothing behind.
    for w in stale + other:
        if w.kind == "update":
            found = ActionUpdate.objects.filter(note=w.text).exists()
        elif w.kind == "minutes":
            found = AgendaItem.history.filter(notes=w.text).exists()
        else:
            found = Action.objects.filter(text=w.text).exists()
        if found:
            leaked.append({"kind": w.kind, "text": w.text, "status": w.status})
    # The live minutes are each item's last acknowledged save.
    last = {}
    for w in acked:
        if w.kind == "minutes" and w.version_after > last.get(w.target, (0, ""))[0]:
            last[w.target] = (w.version_after, w.text)
    wrong_final = [
        item.pk for item in AgendaItem.objects.filter(pk__in=last) if (item.version, item.notes) != last[item.pk]
    ]
    raised = sorted(Action.objects.filter(board=board, text__startswith="soak ").values_list("number", flat=True))
    board.refresh_from_db()
    expected = list(range(plan["next_number_before"], board.next_action_number))
    return {
        "writes": len(ledger.writes),
        "acknowledged": Counter(w.kind for w in acked),
        "refused_as_stale_409": Counter(w.kind for w in stale),
        "other_statuses": Counter(f"{w.kind} {w.status}" for w in other),
        "lost": lost,
        "without_history": unhistoried,
        "refused_but_written": leaked,
        "final_minutes_not_the_last_save": wrong_final,
        "raised_numbers_contiguous": raised == expected,
        "raised": len(raised),
    }


# =============================================================================================
# The run
# =============================================================================================


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_PG, help=f"PostgreSQL to drop and fill (default {DEFAULT_PG})"
    )
    parser.add_argument("--seconds", type=int, default=120, help="how long the members and editors work (default 120)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--max-requests", type=int, default=500, help="gunicorn --max-requests (default 500)")
    parser.add_argument(
        "--warm-up-rounds",
        type=int,
        default=10,
        help="documents each worker renders before the clock starts (default 10)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the summary in docs/SECURITY.md")
    args = parser.parse_args()
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("the soak runs on PostgreSQL")
    if "soak" not in url.rsplit("/", 1)[-1]:
        parser.error(f"the database in {url} will be dropped and recreated: its name must contain 'soak'")
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600")

    media = Path(tempfile.mkdtemp(prefix="adoptboard-soak-media-"))
    logdir = Path(tempfile.mkdtemp(prefix="adoptboard-soak-logs-"))
    env = {**bench_environment(url), "MEDIA_ROOT": str(media), "LOG_LEVEL": "WARNING"}
    os.environ.update(
        {k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "SECRET_KEY", "MEDIA_ROOT")}
    )
    os.environ.update({"SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": env["ALLOWED_HOSTS"]})
    import django

    django.setup()

    print(f"preparing {re.sub(r'//[^@/]*@', '//', url)} ...", flush=True)
    prepare_database(url)
    plan = build(url)
    print(f"  {plan['counts']}", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "adoptboard.wsgi:application",
        "--workers",
        str(args.workers),
        "--max-requests",
        str(args.max_requests),
        "--max-requests-jitter",
        str(args.max_requests // 10),
        "--bind",
        f"127.0.0.1:{port}",  # loopback only
        "--no-control-socket",
        "--timeout",
        "60",
        "--access-logfile",
        str(logdir / "access.log"),
        "--access-logformat",
        "%(p)s %(s)s %(m)s %(U)s %(M)s %(t)s",
        "--error-logfile",
        str(logdir / "error.log"),
        "--capture-output",
    ]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, start_new_session=True)
    stats, ledger, samples = Stats(), Ledger(), {}
    stop, stop_sampling = threading.Event(), threading.Event()
    try:
        for _ in range(120):
            try:
                with OPENER.open(base + "/accounts/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer")
        run_started, wall_started = time.monotonic(), time.time()
        sampler = threading.Thread(
            target=sample_memory, args=(server.pid, run_started, stop_sampling, samples), daemon=True
        )
        sampler.start()
        print("warm-up: every kind of page, one per worker ...", flush=True)
        warmer = Browser(base, stats)
        warmer.login(plan["readers"][0], plan["password"])
        warm_up(warmer, plan, args.workers, args.warm_up_rounds)
        started = time.monotonic()
        threads = [
            threading.Thread(target=reader, args=(Browser(base, stats), plan, u, stop, k), daemon=True, name=u)
            for k, u in enumerate(plan["readers"])
        ] + [
            threading.Thread(
                target=editor, args=(Browser(base, stats), plan, u, stop, 100 + k, ledger), daemon=True, name=u
            )
            for k, u in enumerate(plan["editors"])
        ]
        print(
            f"soak: {len(plan['readers'])} members reading, {len(plan['editors'])} editors writing for "
            f"{args.seconds} s on {base} ({args.workers} workers, --max-requests {args.max_requests}) ...",
            flush=True,
        )
        for t in threads:
            t.start()
        deadline = started + args.seconds
        while time.monotonic() < deadline:
            time.sleep(min(10, max(0.1, deadline - time.monotonic())))
            done = sum(sum(c.values()) for c in stats.statuses.values())
            print(f"  {time.monotonic() - started:5.0f} s: {done} requests", flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=90)
        elapsed = time.monotonic() - started
        stop_sampling.set()
        sampler.join(timeout=5)
        stuck = [t.name for t in threads if t.is_alive()]
    finally:
        stop.set()
        stop_sampling.set()
        os.killpg(server.pid, signal.SIGTERM)  # our own gunicorn's process group, nothing else
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    errors = (logdir / "error.log").read_text() if (logdir / "error.log").exists() else ""
    access = read_access_log(logdir / "access.log", wall_started)
    by_status = Counter(str(line["status"]) for line in access)
    reckoning = verify(plan, ledger)
    memory = memory_report(samples, warmed_at(access), started - run_started)
    recycled = errors.count("Autorestarting worker")
    requests_total = sum(sum(c.values()) for c in stats.statuses.values())
    soak_requests = requests_total - sum(stats.statuses["warm-up"].values())
    server_errors = sum(n for c in stats.statuses.values() for s, n in c.items() if s >= 500)
    no_answer = sum(c.get(0, 0) for c in stats.statuses.values())
    pages = {}
    for kind in sorted(stats.statuses):
        times = sorted(stats.times[kind])
        pages[kind] = {
            "requests": len(times),
            "statuses": {str(s): n for s, n in sorted(stats.statuses[kind].items())},
            "p50_ms": round(1000 * times[len(times) // 2], 1),
            "p95_ms": round(1000 * times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        }
    judged = [m for m in memory if "flat" in m]
    goals = [
        {
            "goal": "0 responses of 5xx, 0 requests without an answer",
            "met": server_errors == 0 and no_answer == 0,
            "detail": f"{server_errors} of 5xx and {no_answer} unanswered in {requests_total} requests",
        },
        {
            "goal": "no traceback, worker timeout or stuck client",
            "met": "Traceback" not in errors and "WORKER TIMEOUT" not in errors and not stuck,
            "detail": f"{errors.count('Traceback')} tracebacks, {errors.count('WORKER TIMEOUT')} timeouts, "
            f"stuck: {stuck or 'none'}",
        },
        {
            "goal": "0 lost writes: every acknowledged write is in the database with its history",
            "met": not reckoning["lost"]
            and not reckoning["without_history"]
            and not reckoning["refused_but_written"]
            and not reckoning["final_minutes_not_the_last_save"]
            and reckoning["raised_numbers_contiguous"],
            "detail": f"{sum(reckoning['acknowledged'].values())} acknowledged "
            f"({dict(reckoning['acknowledged'])}), {len(reckoning['lost'])} lost, "
            f"{len(reckoning['without_history'])} without history, "
            f"{sum(reckoning['refused_as_stale_409'].values())} refused as stale (409) and left nothing, "
            f"raised numbers contiguous: {reckoning['raised_numbers_contiguous']}",
        },
        {
            "goal": f"each worker's memory flat after warm-up (no new high over {MEMORY_GROWTH_LIMIT_MB:g} MB in its last third)",
            "met": bool(judged) and all(m["flat"] for m in judged),
            "detail": ", ".join(
                f"pid {m['pid']}: new high {m['new_peak_mb']:+.1f} MB, median {m['after_warmup_mb']:.0f}→{m['end_mb']:.0f} MB"
                for m in judged
            )
            + f"; {len(memory)} workers seen, {recycled} recycled by --max-requests",
        },
    ]
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "max_requests": args.max_requests,
        "readers": len(plan["readers"]),
        "editors": len(plan["editors"]),
        "data": plan["counts"],
        "requests": requests_total,
        "requests_per_s": round(soak_requests / elapsed, 1),
        "recycled_workers": recycled,
        "server_log_statuses": dict(by_status),
        "pages": pages,
        "failures": stats.failures[:20],
        "writes": {k: (dict(v) if isinstance(v, Counter) else v) for k, v in reckoning.items()},
        "memory": memory,
        "memory_samples": {str(pid): series for pid, series in samples.items()},
        "goals": goals,
    }
    # One line per worker for the per-second memory samples, so the file stays readable.
    series = results.pop("memory_samples")
    text = json.dumps(results, indent=2)[:-2] + ',\n  "memory_samples": {\n'
    text += ",\n".join(f'    "{pid}": {json.dumps(s, separators=(",", ":"))}' for pid, s in series.items())
    RESULTS.write_text(text + "\n  }\n}\n")
    summary = markdown(results)
    print("\n" + summary)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    if not args.no_docs and SECURITY_MD.exists():
        text = SECURITY_MD.read_text()
        if MARK_START in text and MARK_END in text:
            head, rest = text.split(MARK_START, 1)
            _, tail = rest.split(MARK_END, 1)
            SECURITY_MD.write_text(f"{head}{MARK_START}\n{summary}\n{MARK_END}{tail}")
            print(f"updated the soak's figures in {SECURITY_MD.relative_to(ROOT)}")
    if not args.keep:
        drop_database(url)
    return 0 if all(g["met"] for g in goals) else 1


def markdown(results: dict) -> str:
    lines = [
        f"{results['readers']} members reading and {results['editors']} editors writing for {results['seconds']:.0f} s; "
        f"gunicorn, {results['workers']} sync workers, `--max-requests {results['max_requests']}`, PostgreSQL, "
        f"`DEBUG=0`; {results['data']['actions']:,} actions, {results['data']['meetings']} meetings. "
        f"{results['requests']:,} requests, warm-up and logins included ({results['requests_per_s']:.0f}/s during the "
        f"soak); {results['recycled_workers']} workers recycled by `--max-requests`. Run {results['started']}.",
        "",
        "| requests of | count | statuses | p50 ms | p95 ms |",
        "|---|---:|---|---:|---:|",
    ]
    for kind, row in results["pages"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in row["statuses"].items())
        lines.append(f"| {kind} | {row['requests']} | {statuses} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} |")
    lines += [
        "",
        "| worker pid | seen from–to s | judged from s | RSS first MB | median after warm-up MB | median at end MB | new high in last third MB | trend MB/min |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results["memory"]:
        lines.append(
            f"| {m['pid']} | {m['from_s']:.0f}–{m['to_s']:.0f} | {m['judged_from_s']:.0f} | {m['first_mb']:.0f} | "
            + (
                f"{m['after_warmup_mb']:.1f} | {m['end_mb']:.1f} | {m['new_peak_mb']:+.1f} | {m['trend_mb_per_min']:+.2f} |"
                if "flat" in m
                else "too short to judge | | | |"
            )
        )
    lines += ["", *(f"- {'met' if g['met'] else '**not met**'}: {g['goal']} — {g['detail']}" for g in results["goals"])]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
