"""The log's filters and search, checked against a plain Python filter over random logs.

Texts are built from a small vocabulary whose words share no stem and none of which is inside
another, so PostgreSQL's full-text search and SQLite's substring match must agree with the
plain "every word of q is a word of the action" rule below.
"""

import csv
import datetime
import io
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.models import Action, ActionUpdate, Responsibility, Status
from actions.tests.test_action_log import numbers_on
from meetings.models import Attendance, Board, Meeting, Membership, Person

VOCABULARY = ["adoption", "kinship", "budget", "panel", "court", "training", "foster", "report", "contact", "sibling"]
FILLERS = ["the", "and", "for", "with", "of"]  # stop words: never searched for
FIRST_DAY, LAST_DAY = datetime.date(2023, 1, 1), datetime.date(2024, 12, 31)
MEMBERS = (0, 1)  # people 0 and 1 sit on the board; person 2 only attended a meeting
PEOPLE = (0, 1, 2)

_boards = itertools.count(1)

cased = st.sampled_from([str.lower, str.title, str.upper])
word = st.builds(lambda w, case: case(w), st.sampled_from(VOCABULARY + FILLERS), cased)
sentence = st.lists(word, min_size=1, max_size=5).map(" ".join)


@dataclass
class Spec:
    status: str
    people: list[int]
    whole_board: bool
    issued_on: datetime.date
    meeting: int | None
    text: str
    status_note: str
    updates: list[str] = field(default_factory=list)

    def words(self) -> set[str]:
        return {w.lower() for part in [self.text, self.status_note, *self.updates] for w in part.split()}


@st.composite
def action_specs(draw):
    people = draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=3))
    return Spec(
        status=draw(st.sampled_from(Status.values)),
        people=people,
        whole_board=draw(st.booleans()) or not people,
        issued_on=draw(st.dates(FIRST_DAY, LAST_DAY)),
        meeting=draw(st.none() | st.sampled_from([0, 1])),
        text=draw(sentence),
        status_note=draw(st.just("") | sentence),
        updates=draw(st.lists(sentence, max_size=2)),
    )


@st.composite
def filter_sets(draw):
    return {
        "status": draw(st.lists(st.sampled_from(Status.values), unique=True, max_size=3)),
        "responsible": draw(st.none() | st.sampled_from(PEOPLE)),
        "meeting": draw(st.none() | st.sampled_from([0, 1])),
        "issued_from": draw(st.none() | st.dates(FIRST_DAY, LAST_DAY)),
        "issued_to": draw(st.none() | st.dates(FIRST_DAY, LAST_DAY)),
        "q": draw(
            st.none()
            | st.lists(st.builds(lambda w, c: c(w), st.sampled_from(VOCABULARY), cased), min_size=1, max_size=2).map(
                " ".join
            )
        ),
    }


def plain_filter(specs: dict[int, Spec], f: dict) -> list[int]:
    """The rule the log promises, in plain Python; newest number first."""
    found = []
    for number, s in specs.items():
        if f["status"] and s.status not in f["status"]:
            continue
        if f["responsible"] is not None and not (
            f["responsible"] in s.people or (s.whole_board and f["responsible"] in MEMBERS)
        ):
            continue
        if f["meeting"] is not None and s.meeting != f["meeting"]:
            continue
        if f["issued_from"] and s.issued_on < f["issued_from"]:
            continue
        if f["issued_to"] and s.issued_on > f["issued_to"]:
            continue
        if f["q"] and not all(w.lower() in s.words() for w in f["q"].split()):
            continue
        found.append(number)
    return sorted(found, reverse=True)


def build_board(specs: list[Spec]):
    """A fresh board per example (examples share the test's transaction), its people and its log."""
    n = next(_boards)
    board = Board.objects.create(name=f"Hypothesis board {n}", slug=f"hyp-{n}")
    # No password: hashing one per example would cost more than the rest of the example.
    viewer = get_user_model().objects.create(username=f"hyp-viewer-{n}")
    people = [
        Person.objects.create(full_name=f"Person {i}", initials=f"P{i}", user=viewer if i == 0 else None)
        for i in PEOPLE
    ]
    for i in MEMBERS:
        Membership.objects.create(board=board, person=people[i])
    meetings = [
        Meeting.objects.create(
            board=board, date=datetime.date(2024, month, 10), start_time=datetime.time(10), end_time=datetime.time(11)
        )
        for month in (2, 4)
    ]
    Attendance.objects.create(meeting=meetings[0], person=people[2], is_guest=True)
    numbers = {}
    for number, s in enumerate(specs, start=1):
        action = Action.objects.create(
            board=board,
            number=number,
            text=s.text,
            status=s.status,
            whole_board=s.whole_board,
            issued_on=s.issued_on,
            meeting=meetings[s.meeting] if s.meeting is not None else None,
            status_note=s.status_note,
        )
        for position, i in enumerate(s.people):
            Responsibility.objects.create(action=action, person=people[i], position=position)
        for note in s.updates:
            ActionUpdate.objects.create(
                action=action, note=note, status_before=s.status, status_after=s.status, created_at=timezone.now()
            )
        numbers[number] = s
    return board, viewer, people, meetings, numbers


def query_string(f: dict, people, meetings) -> str:
    params = [("status", s) for s in f["status"]]
    if f["responsible"] is not None:
        params.append(("responsible", people[f["responsible"]].pk))
    if f["meeting"] is not None:
        params.append(("meeting", meetings[f["meeting"]].pk))
    for name in ("issued_from", "issued_to"):
        if f[name]:
            params.append((name, f[name].isoformat()))
    if f["q"]:
        params.append(("q", f["q"]))
    return "?" + urlencode(params)


HYPOTHESIS = settings(
    max_examples=40,
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(specs=st.lists(action_specs(), min_size=0, max_size=12), filters=filter_sets())
def test_it_filters_the_log_and_its_export_like_a_plain_python_filter(client, db, specs, filters):
    board, viewer, people, meetings, by_number = build_board(specs)
    client.force_login(viewer)
    query = query_string(filters, people, meetings)
    expected = plain_filter(by_number, filters)

    response = client.get(reverse("actions:action-list", kwargs={"slug": board.slug}) + query)
    assert response.status_code == 200, response.context["filter"].errors
    assert numbers_on(response) == expected

    exported = client.get(reverse("documents:action-export-csv", kwargs={"slug": board.slug}) + query)
    rows = list(csv.reader(io.StringIO(exported.getvalue().decode("utf-8-sig"))))[1:]
    assert [int(r[0]) for r in rows] == expected


@settings(HYPOTHESIS, max_examples=30)
@given(q=st.text(max_size=60), status=st.lists(st.text(max_size=12), max_size=2), day=st.text(max_size=12))
def test_any_search_text_or_junk_filter_gets_a_page_or_a_400_never_a_500(client, db, q, status, day):
    board, viewer, *_ = build_board([Spec("open", [0], False, FIRST_DAY, None, "adoption panel", "", ["court report"])])
    client.force_login(viewer)
    url = reverse("actions:action-list", kwargs={"slug": board.slug})
    response = client.get(url, {"q": q, "status": status, "issued_from": day})
    assert response.status_code in (200, 400)
