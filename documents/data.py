"""What a meeting's documents show, gathered in a fixed number of queries (the renderers are pure)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from actions.models import OPEN_STATUSES, Action, ActionUpdate
from actions.selectors import log_updated_at, meeting_log_actions
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Board,
    Decision,
    Declaration,
    Meeting,
    Membership,
    MinutesLog,
    MinutesVersion,
    Paper,
    Person,
    Role,
    Topic,
)
from meetings.services import item_start_times

# The minutes print the whole log as it stood, as the board's Word minutes do, up to this many
# actions. A longer log is cut to what the meeting dealt with (see meeting_pack): WeasyPrint lays
# out 30-100 rows a second, and a board's 10,000 actions took 55 s, past any request timeout.
MINUTES_FULL_LOG_MAX = 500

# The action log's columns, the same in every document (PDF tables, the Word minutes).
LOG_HEADERS = ("No.", "Action", "Responsible", "Date issued", "Status")

# Seats whose role the documents print when the seat has no label of its own.
ROLES_PRINTED = {Role.CHAIR: "Chair", Role.VICE_CHAIR: "Vice chair"}
# Present and apologies list the officers first, as the board's own minutes do.
ROLE_RANK = {Role.CHAIR: 0, Role.VICE_CHAIR: 1, Role.SECRETARY: 2}


def fmt_date(d: datetime.date) -> str:
    return f"{d.day} {d:%B %Y}"


def minutes_title(meeting: Meeting) -> str:
    """The one title of a meeting's minutes: the PDF's heading and title, the Word file's heading and title."""
    return f"Minutes: {fmt_date(meeting.date)}"


def paragraphs(text: str) -> list[str]:
    """Typed text as the paragraphs it was typed in: every line a paragraph, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def person_line(person: Person, seat: Membership | None = None) -> str:
    """A person as the board's documents name them, e.g. "Lorna Hunt, VICE CHAIR (Service director, PACT)".

    The seat's label ("CHAIR Milton Keynes"), or the chair's and vice chair's role, follows the
    name; the role title and organisation go in brackets, the organisation left out where the
    title or label already says it ("SESLIP consultant", "CHAIR Milton Keynes").
    """
    role = ""
    if seat is not None:
        role = seat.role_label.strip() or ROLES_PRINTED.get(seat.role, "")
    title, organisation = person.job_title.strip(), person.organisation.strip()
    if organisation and organisation.lower() in f"{title} {role}".lower():
        organisation = ""
    details = ", ".join(x for x in (title, organisation) if x)
    return f"{person}{', ' + role if role else ''}{f' ({details})' if details else ''}"


@dataclass
class ScheduledItem:
    """An agenda item with its number and start time on the day."""

    number: int
    item: AgendaItem
    starts: datetime.time
    papers: list[Paper]
    actions: list[Action]
    # The item's rows of the decisions register, in order (empty on the agenda).
    decisions: list[Decision] = field(default_factory=list)

    @property
    def lead(self) -> str:
        """Who leads the item, as the documents name them: the person, or the free text."""
        return str(self.item.lead) if self.item.lead_id else self.item.lead_text

    @property
    def purpose(self) -> str:
        return self.item.get_purpose_display()

    @property
    def description(self) -> list[str]:
        return paragraphs(self.item.description)

    @property
    def notes(self) -> list[str]:
        return paragraphs(self.item.notes)


@dataclass
class MeetingPack:
    board: Board
    meeting: Meeting
    officers: list[Membership]
    present: list[Attendance]
    apologies: list[Attendance]
    invited: list[Attendance]
    guests: list[Attendance]
    items: list[ScheduledItem]
    open_actions: list[Action]
    action_log: list[Action]
    # How many actions the whole log held, when `action_log` is cut to the meeting's (see MINUTES_FULL_LOG_MAX).
    log_total: int | None
    log_updated_on: datetime.date | None
    # Board.minutes_log: the whole log, or what the meeting dealt with.
    log_scope: str
    topics: list[Topic]
    upcoming: list[Meeting]
    # Declarations of interest, by person (the minutes only).
    declarations: list[Declaration] = field(default_factory=list)
    generated_on: datetime.date = field(default_factory=timezone.localdate)

    @property
    def title(self) -> str:
        return minutes_title(self.meeting)

    @property
    def log_scope_note(self) -> str:
        if self.log_scope == MinutesLog.MEETING:
            return "The actions open at this meeting, and those raised or updated at it."
        return ""

    @property
    def declarations_under_item(self) -> bool:
        """Whether the agenda has the standing item "Declarations of interest" to print them under
        (otherwise they follow the apologies)."""
        return any(s.item.is_declarations for s in self.items)

    @property
    def expected(self) -> list[Attendance]:
        """Who the agenda lists as coming: invitees not (yet) sending apologies."""
        return sorted(self.present + self.invited, key=lambda a: (a.person.full_name, a.person.initials))


def log_cut_note(pack: MeetingPack) -> str:
    """What the minutes say when their action log is cut to the meeting's actions."""
    return (
        f"The log held {pack.log_total:,} actions at this meeting; these {len(pack.action_log):,} are the ones "
        "still open and those raised or updated at the meeting. The whole log is in the action log's "
        "downloads (CSV, Excel)."
    )


def _log_as_it_stood(meeting: Meeting):
    """The board's log as it stands for this meeting: nothing raised after it."""
    return Action.objects.live().filter(board=meeting.board, issued_on__lte=meeting.date).order_by("-number")


def _minutes_log(meeting: Meeting):
    """The actions the minutes print in their action log (unevaluated, with their people), and how
    many the whole log held when that is cut to the meeting's (else None)."""
    if meeting.board.minutes_log == MinutesLog.MEETING:
        # What the meeting dealt with: the actions open when it began, and those raised or updated at it.
        return meeting_log_actions(meeting), None
    log_qs = _log_as_it_stood(meeting)
    if (total := log_qs.count()) > MINUTES_FULL_LOG_MAX:
        # What the meeting dealt with: the actions still open, and those raised or updated at it.
        updated_here = ActionUpdate.objects.filter(meeting=meeting).values("action_id")
        log_qs = log_qs.filter(Q(status__in=OPEN_STATUSES) | Q(meeting=meeting) | Q(pk__in=updated_here))
        return log_qs.with_people(), total
    return log_qs.with_people(), None


def _item_actions(meeting: Meeting):
    """The actions the minutes print under the items they were raised at."""
    return Action.objects.live().filter(agenda_item__meeting=meeting, agenda_item__removed_at__isnull=True)


def minutes_action_rows(meeting: Meeting) -> int:
    """How many action rows the minutes of `meeting` print (under the items, and in the action log),
    counted in two to four queries without loading them: what rendering them will cost."""
    log_qs, _ = _minutes_log(meeting)
    return _item_actions(meeting).count() + log_qs.count()


def meeting_pack(meeting: Meeting, *, with_log: bool = True) -> MeetingPack:
    """Everything the agenda and minutes of `meeting` show, in a fixed number of queries.

    The agenda shows only the open actions: `with_log=False` fetches those alone, not the whole
    log (on a board with 10,000 actions, loading the log cost more than rendering the PDF).
    """
    board = meeting.board
    attendances = list(
        meeting.attendances.select_related("person", "deputising_for").order_by("person__full_name", "person__initials")
    )
    seats = list(
        Membership.objects.current(meeting.date)
        .filter(board=board)
        .select_related("person")
        .order_by("role", "person__full_name", "pk")
    )
    seat_of = {}
    for seat in seats:
        # Someone with two seats at once is printed with the higher one.
        held = seat_of.get(seat.person_id)
        if held is None or ROLE_RANK.get(seat.role, 9) < ROLE_RANK.get(held.role, 9):
            seat_of[seat.person_id] = seat
    # Chair, vice chair, then support, as the seed's agenda names them.
    officers = sorted((m for m in seats if m.role in ROLE_RANK), key=lambda m: (ROLE_RANK[m.role], m.person.full_name))
    for a in attendances:
        a.seat = seat_of.get(a.person_id)
        a.line = person_line(a.person, a.seat)
        if a.deputising_for_id:
            a.line += f", attending for {a.deputising_for}"
        if a.note:
            a.line += f" ({a.note})"
    by_rank = sorted(
        attendances,
        key=lambda a: (ROLE_RANK.get(a.seat.role, 9) if a.seat else 9, a.person.full_name, a.person.initials),
    )
    items = list(
        AgendaItem.objects.live()
        .filter(meeting=meeting)
        .select_related("lead")
        .prefetch_related(
            Prefetch("papers", queryset=Paper.objects.order_by("title"), to_attr="paper_list"),
            Prefetch(
                "actions_raised",
                queryset=Action.objects.live().with_people().order_by("number"),
                to_attr="action_list",
            ),
            *(
                [Prefetch("decision_rows", queryset=Decision.objects.order_by("position"), to_attr="decision_list")]
                if with_log
                else []
            ),
        )
        .order_by("position", "pk")
    )
    log_total = None
    if with_log:
        log_qs, log_total = _minutes_log(meeting)
        log = list(log_qs)
        open_before = [a for a in log if a.is_open and a.meeting_id != meeting.pk]
    else:
        log = []
        open_before = list(_log_as_it_stood(meeting).with_people().open().exclude(meeting=meeting))
    updated = log_updated_at(board)
    item_start_times(meeting, items)
    return MeetingPack(
        board=board,
        meeting=meeting,
        officers=officers,
        present=[a for a in by_rank if a.status == AttendanceStatus.PRESENT and not a.is_guest],
        apologies=[a for a in by_rank if a.status == AttendanceStatus.APOLOGIES],
        invited=[a for a in attendances if a.status == AttendanceStatus.INVITED and not a.is_guest],
        guests=[
            a for a in attendances if a.is_guest and a.status in (AttendanceStatus.PRESENT, AttendanceStatus.INVITED)
        ],
        items=[
            ScheduledItem(
                number=n,
                item=it,
                starts=it.starts_at,
                papers=it.paper_list,
                actions=it.action_list,
                decisions=getattr(it, "decision_list", []),
            )
            for n, it in enumerate(items, start=1)
        ],
        declarations=(
            list(
                Declaration.objects.filter(meeting=meeting)
                .select_related("person", "item")
                .order_by("person__full_name", "person__initials", "none_declared", "pk")
            )
            if with_log
            else []
        ),
        open_actions=open_before,
        action_log=log,
        log_total=log_total,
        log_updated_on=timezone.localtime(updated).date() if updated else None,
        log_scope=board.minutes_log,
        topics=list(
            Topic.objects.filter(board=board, scheduled_item__isnull=True)
            .filter(Q(proposed_on__lte=meeting.date) | Q(proposed_at=meeting))
            .select_related("proposed_by")
            .order_by("proposed_on", "pk")
        ),
        upcoming=list(
            Meeting.objects.filter(board=board)
            .filter(Q(date__gt=meeting.date) | Q(date=meeting.date, start_time__gt=meeting.start_time))
            .order_by("date", "start_time")[:4]
        ),
    )


def frozen_minutes(meeting: Meeting) -> MinutesVersion | None:
    """The files approved minutes are served from: their latest frozen version, while the meeting
    is approved. None for drafts, and for minutes approved before versions were kept."""
    if not meeting.is_locked:
        return None
    return meeting.minutes_versions.order_by("-number").first()


def chosen_filters(log) -> list[tuple[str, str]]:
    """The filters in force, as the PDF's "Showing:" line names them."""
    chosen = []
    for name, value in log.form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = log.form.fields[name]
        if isinstance(value, list | tuple):
            labels = dict(field.choices)
            value = ", ".join(str(labels.get(v, v)) for v in value)
        elif isinstance(value, datetime.date):
            value = f"{value.day} {value:%B %Y}"
        chosen.append((str(field.label or name), str(value)))
    return chosen
