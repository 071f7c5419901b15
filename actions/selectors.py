"""Reads of the action log that need care: the log's rows, an action's history, a person's open actions."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings.models import AgendaItem, Attendance, Board, Meeting, Membership, Person, current_seats
from meetings.selectors import board_people

from .lines import ActionLine, normalise, parse_action_lines
from .models import (
    OPEN_STATUSES,
    Action,
    ActionUpdate,
    DroppedActionLine,
    NamedPerson,
    Responsibility,
    Status,
    responsible_label,
)


def _latest_update():
    return ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")


def action_log(board: Board, *, annotated: bool = True) -> QuerySet[Action]:
    """The board's live actions, newest number first, with what each row of the log shows.

    The last update's date and note come from correlated subqueries, so a page of 50 rows
    or an export of 10,000 costs the same number of queries. `annotated=False` leaves them
    (and the people) off, for choosing a page's rows first (`log_rows`).
    """
    actions = Action.objects.live().filter(board=board).order_by("-number")
    return with_last_update(actions.with_people()) if annotated else actions


def with_last_update(actions: QuerySet[Action]) -> QuerySet[Action]:
    latest = _latest_update()
    return actions.annotate(
        last_update_at=Subquery(latest.values("created_at")[:1]),
        last_update_note=Subquery(latest.values("note")[:1]),
    )


def log_rows(ids: QuerySet) -> list["ExportRow"]:
    """One page of the log, newest number first, as plain rows (the exports' rows: number, text,
    responsible initials, dates, status label, last update), in two queries.

    `ids` is the page's slice of the filtered log's ids, read as a subquery of the rows' query: the
    page is chosen without the per-row subqueries (with them, a page deep in the log, OFFSET
    15,000, ran them for every row it skipped), and with no round trip of its own. The people are
    then read for the rows found. Plain values rather than model instances: building 50 actions
    with their responsibilities and persons was a fifth of the page.
    """
    actions = with_last_update(Action.objects.filter(pk__in=ids)).order_by("-number")
    values = list(actions.values_list(*EXPORT_VALUES))
    people = (
        Responsibility.objects.filter(action_id__in=[row[0] for row in values])
        .order_by(*PEOPLE_ORDER)
        .values_list("action_id", "person__initials")
    )
    return list(_merged_rows(iter(values), iter(people)))


def log_updated_at(board: Board) -> datetime.datetime | None:
    """When anything in the board's action log last changed: the newest time an action was saved.

    Adding an update saves its action too (services and admin alike), so this is one walk of the
    (board, updated_at) index to its first entry.
    """
    return Action.objects.filter(board=board).order_by("-updated_at").values_list("updated_at", flat=True).first()


def action_page(board: Board) -> QuerySet[Action]:
    """The board's live actions as the action page shows one: origin meeting and item, people."""
    return Action.objects.live().filter(board=board).select_related("board", "meeting", "agenda_item").with_people()


def action_history(action: Action) -> QuerySet[ActionUpdate]:
    """The action's updates, oldest first, with who made each and at which meeting."""
    return (
        ActionUpdate.objects.filter(action=action)
        .select_related("meeting__board", "created_by__person")
        .order_by("created_at", "pk")
    )


def answered_by(person: Person, *, on: datetime.date | None = None, seats=None) -> Q:
    """Actions a person answers for: named on them, or as "all" on a board they currently sit on.

    Written with IN-subqueries rather than joins, so the rows need no DISTINCT and the
    navigation's count on every page stays one plain COUNT(*). `seats`: the ids of the boards the
    person sits on today, when already read (meetings.models.current_seats).
    """
    named = Responsibility.objects.filter(person=person).values("action_id")
    if seats is None:
        seats = Membership.objects.current(on).filter(person=person).values("board_id")
    return Q(pk__in=named) | Q(whole_board=True, board_id__in=seats)


def _open_answered_by(user) -> QuerySet[Action]:
    """The user's open actions on the boards they can see, as one filter (the navigation counts
    them on every page: index action_open_board_id)."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return Action.objects.none()
    # The user's seats as read once for the request (meetings.models.current_seats).
    seats = list(current_seats(user))
    visible = Q() if user.is_staff else Q(board_id__in=seats)
    return Action.objects.filter(
        visible, answered_by(person, seats=seats), removed_at__isnull=True, status__in=OPEN_STATUSES
    )


def my_open_actions(user) -> QuerySet[Action]:
    """The user's open actions on the boards they can see, grouped by board, newest number first."""
    return _open_answered_by(user).select_related("board").with_people().order_by("board__name", "board_id", "-number")


def my_open_actions_count(user) -> int:
    return _open_answered_by(user).count()


class ExportRow(NamedTuple):
    """One action as the exports write it: plain values, nothing lazy (a tuple: 50,000 are made
    per export, at a third of a frozen dataclass's cost)."""

    number: int
    text: str
    responsible: str
    issued_on: datetime.date
    due_date: datetime.date | None
    meeting: datetime.date | None
    status: str
    status_note: str
    last_update_on: datetime.date | None
    last_update_note: str


def export_rows(actions) -> list[ExportRow]:
    """All of `iter_export_rows` at once (small logs, tests)."""
    return list(iter_export_rows(actions))


# Rows read per round trip by the exports: their memory is about one chunk, whatever the log's size.
EXPORT_CHUNK = 500


def _stream(queryset: QuerySet) -> Iterator:
    """A queryset's rows read a chunk at a time: a server-side cursor on PostgreSQL, fetchmany on SQLite.

    QuerySet.iterator() would read the whole result at once here: the settings turn server-side
    cursors off (DISABLE_SERVER_SIDE_CURSORS, for the choice lists), and iterator() then fetches
    everything on every database. `_iterator` is what iterator() calls, told to chunk anyway.
    """
    return queryset._iterator(use_chunked_fetch=True, chunk_size=EXPORT_CHUNK)


EXPORT_VALUES = (
    "pk",
    "number",
    "text",
    "whole_board",
    "issued_on",
    "due_date",
    "meeting__date",
    "status",
    "status_note",
    "last_update_at",
    "last_update_note",
)
# Newest number first, as the log runs, so an action's people come next in line as rows are merged.
PEOPLE_ORDER = ("-action__number", "position", "pk")


def iter_export_rows(actions) -> Iterator[ExportRow]:
    """Turn log rows (from `action_log`, filters applied, newest number first) into the exports' rows,
    one at a time.

    Read as plain values in two queries whatever the log's size — the rows, then everyone
    responsible in the same order — each read in chunks and merged as they come, so an export
    of 50,000 actions holds a chunk of rows at a time, not the log (168 MB at 50,000 when it was
    built whole). No model instances: building 40,000 of them was most of an export's time.
    """
    values = actions.prefetch_related(None).values_list(*EXPORT_VALUES)
    people = (
        Responsibility.objects.filter(action_id__in=actions.order_by().values("pk"))
        .order_by(*PEOPLE_ORDER)
        .values_list("action_id", "person__initials")
    )
    return _merged_rows(_stream(values), _stream(people))


def _merged_rows(values: Iterator[tuple], people: Iterator[tuple]) -> Iterator[ExportRow]:
    pending = next(people, None)
    labels = {value: str(label) for value, label in Status.choices}  # translated once, not per row
    zone = timezone.get_current_timezone()  # timezone.localtime() would look it up again for every row
    for pk, number, text, whole_board, issued_on, due_date, meeting, status, note, last, last_note in values:
        initials = []
        # Both run newest number first, and only these actions' people are read: this action's
        # people, if any, are next in line.
        while pending is not None and pending[0] == pk:
            initials.append(pending[1])
            pending = next(people, None)
        yield ExportRow(
            number,
            text,
            responsible_label(initials, whole_board=whole_board),
            issued_on,
            due_date,
            meeting,
            labels.get(status, status),
            note,
            last.astimezone(zone).date() if last else None,
            last_note or "",
        )


def boards_with_open_actions(user):
    """The boards a user sees, each with `open_actions`, the number of its live open actions."""
    return Board.objects.for_user(user).annotate(
        open_actions=Count(
            "actions",
            filter=Q(actions__status__in=OPEN_STATUSES, actions__removed_at__isnull=True),
            distinct=True,
        )
    )


def open_action_count(board: Board) -> int:
    return Action.objects.live().open().filter(board=board).count()


def people_known_to(board: Board) -> QuerySet[Person]:
    """Everyone the board knows (meetings.selectors.board_people), with the people named on its
    actions, removed ones too (NamedPerson, kept by the database: one index range to read)."""
    return board_people(board, also=NamedPerson.objects.filter(board=board).values("person_id"))


def raised_actions_prefetch() -> Prefetch:
    """For meetings.selectors.meeting_for_page: each agenda item's live actions, as `action_list`."""
    return Prefetch(
        "actions_raised", queryset=Action.objects.live().with_people().order_by("number"), to_attr="action_list"
    )


def _update_is_before(meeting):
    """Updates that happened before `meeting` began.

    An update recorded at a meeting counts at that meeting's date (minutes are often typed up
    later, so its created_at may be long after); an update between meetings counts at created_at.
    """
    return Q(meeting__isnull=False) & (
        Q(meeting__date__lt=meeting.date) | Q(meeting__date=meeting.date, meeting__start_time__lt=meeting.start_time)
    ) | Q(meeting__isnull=True, created_at__lt=meeting.starts_at)


def meeting_log_actions(meeting):
    """The log a board's minutes print when they print only what the meeting dealt with
    (Board.minutes_log MEETING): the review's actions plus those updated at the meeting."""
    updated_here = ActionUpdate.objects.filter(meeting=meeting).values("action_id")
    return _carry_forward(meeting, also=Q(pk__in=updated_here, issued_on__lte=meeting.date))


def review_actions(meeting):
    """The carry-forward set of a meeting (DESIGN.md): the board's actions raised before it and still
    open when it began, plus those it raised — newest number first, with people prefetched.

    "Open when it began" is read from the ActionUpdate history in the same single query:
    the status after the last update before the start; failing that, the status before the first
    update after it; failing that (no updates at all), the action's current status. So closing an
    action at this meeting keeps it on this meeting's review but drops it from the next one's.
    """
    return _carry_forward(meeting)


def _carry_forward(meeting, also: Q | None = None):
    before = _update_is_before(meeting)
    updates = ActionUpdate.objects.filter(action=OuterRef("pk"))
    status_at_start = Coalesce(
        Subquery(updates.filter(before).order_by("-created_at", "-pk").values("status_after")[:1]),
        Subquery(updates.exclude(before).order_by("created_at", "pk").values("status_before")[:1]),
        "status",
    )
    # Narrowed before the per-row subqueries: an action's status is the status after its last
    # update, so one closed now can only have been open when the meeting began if it has an
    # update since (a superset: recorded at this or a later meeting, or made after the start).
    # The subqueries then run for the open actions and the recently changed ones, not for every
    # action of the board (docs/PERFORMANCE.md).
    later = Meeting.objects.filter(board_id=meeting.board_id).filter(
        Q(date__gt=meeting.date) | Q(date=meeting.date, start_time__gte=meeting.start_time)
    )
    on_board = Action.objects.filter(board_id=meeting.board_id).order_by()
    updates_since = ActionUpdate.objects.order_by()
    # Read first, as a list, from a UNION of parts that each have an index (board and status,
    # meeting, update meeting, update date): inside the row filter, or as one OR, the database's
    # planner ran the subqueries on every action of the board, or read every update.
    candidates = list(
        on_board.filter(status__in=OPEN_STATUSES)
        .values_list("pk", flat=True)
        .union(
            on_board.filter(meeting=meeting).values_list("pk", flat=True),
            updates_since.filter(meeting_id__in=later.values("pk")).values_list("action_id", flat=True),
            updates_since.filter(created_at__gte=meeting.starts_at).values_list("action_id", flat=True),
        )
    )
    # The status at the start as an alias, not an annotation: only the filter needs it, and an
    # annotation made PostgreSQL run its subqueries twice per row (in the WHERE and the SELECT).
    return (
        Action.objects.live()
        .filter(board_id=meeting.board_id)
        .filter(pk__in=candidates)
        .alias(status_at_start=status_at_start)
        .filter(Q(meeting=meeting) | Q(issued_on__lt=meeting.date, status_at_start__in=OPEN_STATUSES) | (also or Q()))
        .with_people()
        .order_by("-number")
    )


# --- "Action:" lines in the minutes ----------------------------------------------------------


@dataclass(frozen=True)
class LineOffer:
    """An "Action:" line of an item's minutes, offered to the secretary to raise, with who it names."""

    item: AgendaItem
    line: ActionLine
    people: tuple[Person, ...]
    whole_board: bool

    @property
    def fingerprint(self) -> str:
        return self.line.fingerprint

    @property
    def text(self) -> str:
        return self.line.text


def initials_at(meeting: Meeting) -> dict[str, Person]:
    """Initials (case-folded) -> person, as they stood at the meeting: the board's members on its
    date, then those who attended it (guests, deputies) where a member does not already hold them."""
    index: dict[str, Person] = {}
    attended = Attendance.objects.filter(meeting=meeting).select_related("person").order_by("pk")
    for att in attended:
        index.setdefault(att.person.initials.casefold(), att.person)
    seats = Membership.objects.current(meeting.date).filter(board_id=meeting.board_id).select_related("person")
    for seat in seats:
        index[seat.person.initials.casefold()] = seat.person
    return index


# An action's text counts as this line's when one starts with the other and the shorter says this much.
SAME_TEXT_MIN = 20


def _same_text(action_text: str, line_text: str) -> bool:
    a, b = normalise(action_text), normalise(line_text)
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= SAME_TEXT_MIN and longer.startswith(shorter)


def action_line_offers(meeting: Meeting, items: list[AgendaItem]) -> dict[int, list[LineOffer]]:
    """The "Action:" lines in the items' minutes still to be confirmed, per item id.

    A line is left out once raised (an action raised at the meeting carries its fingerprint, or —
    for actions raised by hand, like the demo's 75 and 76 — says the same), or once dropped. A bare
    "KY to …" line is offered only if KY is someone the board knows at the meeting; an "Action:"
    line naming nobody it knows is for the whole board. No query at all when no line reads as an action.
    """
    parsed = {item.pk: parse_action_lines(item.notes) for item in items}
    if not any(parsed.values()):
        return {}
    ids = [pk for pk, lines in parsed.items() if lines]
    # Raised or dropped anywhere in the meeting: a line moved to another item is still the same line.
    done = list(
        Action.objects.filter(Q(meeting=meeting) | Q(agenda_item__meeting=meeting)).values_list("text", "source_line")
    )
    dropped = set(DroppedActionLine.objects.filter(item__meeting=meeting).values_list("fingerprint", flat=True))
    people = initials_at(meeting)
    by_pk = {item.pk: item for item in items}
    offers: dict[int, list[LineOffer]] = {}
    for item_id in ids:
        for line in parsed[item_id]:
            if line.fingerprint in dropped or any(
                source == line.fingerprint or _same_text(text, line.text) for text, source in done
            ):
                continue
            named = tuple(dict.fromkeys(p for i in line.initials if (p := people.get(i.casefold())) is not None))
            if not line.explicit and not named and not line.whole_board:
                continue  # "UK to leave …": not one of the board's people
            # Nobody the board knows named on an "Action:" line: the whole board answers for it.
            whole = line.whole_board or not named
            offers.setdefault(item_id, []).append(
                LineOffer(item=by_pk[item_id], line=line, people=named, whole_board=whole)
            )
    return offers
