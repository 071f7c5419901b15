"""Reads that need care: a board's meetings and people, and what the meeting page shows."""

import functools

from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    AgendaItem,
    Attendance,
    Board,
    Decision,
    Declaration,
    Meeting,
    Membership,
    MinutesVersion,
    Paper,
    Person,
)


def upcoming_meetings(user, limit: int = 10):
    boards = Board.objects.for_user(user)
    return Meeting.objects.filter(board__in=boards).upcoming().select_related("board")[:limit]


def board_members(board):
    return (
        Membership.objects.current().filter(board=board).select_related("person").order_by("role", "person__full_name")
    )


def board_people(board, *, also=None):
    """Everyone the board knows: members past and present and everyone who attended its meetings,
    plus `also` (ids of more people, e.g. those named on its actions: actions.selectors.people_known_to).

    IN-subqueries, not joins: joining memberships, attendances and responsibilities at once
    multiplies their rows per person before DISTINCT (2.3 s on a board with 10,000 actions).
    """
    known = Q(pk__in=Membership.objects.filter(board=board).values("person_id")) | Q(
        pk__in=Attendance.objects.filter(meeting__board=board).values("person_id")
    )
    if also is not None:
        known |= Q(pk__in=also)
    return Person.objects.filter(known).order_by("full_name", "initials")


def people_pickable(user, board):
    """People an editor may give a seat on `board`: anyone a board they run knows (its members past
    and present, its meetings' guests); staff may pick anyone."""
    from .permissions import boards_run_by

    if user.is_staff:
        return Person.objects.order_by("full_name", "initials")
    boards = boards_run_by(user).values("pk")
    known = Q(pk__in=Membership.objects.filter(board__in=boards).values("person_id")) | Q(
        pk__in=Attendance.objects.filter(meeting__board__in=boards).values("person_id")
    )
    return Person.objects.filter(known).order_by("full_name", "initials")


def board_people_page(board, *, today=None) -> dict:
    """The people page: current, future and past seats, and guests (people who attended its
    meetings without ever having a seat). Four queries, whatever the number of people."""
    today = today or timezone.localdate()
    seats = list(
        Membership.objects.filter(board=board)
        .select_related("person__user")
        .order_by("role", "person__full_name", "person__initials", "-since")
    )
    current = [m for m in seats if (m.since is None or m.since <= today) and (m.until is None or m.until >= today)]
    future = [m for m in seats if m.since is not None and m.since > today]
    seated = {m.person_id for m in current} | {m.person_id for m in future}
    past = sorted(
        (m for m in seats if m.until is not None and m.until < today and m.person_id not in seated),
        key=lambda m: (m.until, m.person.full_name),
        reverse=True,
    )
    ever_seated = {m.person_id for m in seats}
    guests = list(
        Person.objects.filter(pk__in=Attendance.objects.filter(meeting__board=board, is_guest=True).values("person_id"))
        .exclude(pk__in=ever_seated)
        .select_related("user")
        .annotate(last_attended=Max("attendances__meeting__date", filter=Q(attendances__meeting__board=board)))
        .order_by("full_name", "initials")
    )
    return {"current": current, "future": future, "past": past, "guests": guests}


def _following(meeting_field: str):
    """The board's next meeting after the outer one (by date, then start time): one of its fields."""
    later = Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), start_time__gt=OuterRef("start_time"))
    return Subquery(
        Meeting.objects.filter(later, board_id=OuterRef("board_id"))
        .order_by("date", "start_time")
        .values(meeting_field)[:1]
    )


@functools.cache
def _meetings_with_record():
    """Meetings with what the meeting page shows of their record, built once (never evaluated
    itself: each page filters a clone). Building these subqueries cost as much as running them."""
    return Meeting.objects.select_related("approved_by").annotate(
        next_pk=_following("pk"),
        next_date=_following("date"),
        has_minutes_versions=Exists(MinutesVersion.objects.filter(meeting=OuterRef("pk"))),
        was_reopened=Exists(_reopenings(Meeting.history.filter(id=OuterRef("pk")))),
    )


def meeting_for_page(board, pk, *, item_prefetches=(), record=False):
    """One meeting of the board with what its page shows alongside: items and their papers, attendance.

    `item_prefetches` adds what other apps show on each item (the actions raised there).
    The same five queries as prefetching from the meeting, a tenth cheaper: the items and the
    attendance are read by the meeting's id, and the board is the caller's (no join for it).
    With `record`, the meeting's own query also tells the meeting after it (`next_meeting`, its
    id and date only) and whether it has approved versions or reopenings to list
    (`has_minutes_versions`, `was_reopened`): three round trips fewer for the meeting page.
    """
    meetings = _meetings_with_record() if record else Meeting.objects.select_related("approved_by")
    meeting = get_object_or_404(meetings, board=board, pk=pk)
    meeting.board = board  # the caller's, with its access
    if record:
        meeting.next_meeting = meeting.next_pk and Meeting(pk=meeting.next_pk, board=board, date=meeting.next_date)
    meeting.item_list = list(
        AgendaItem.objects.live()
        .filter(meeting=meeting)
        .select_related("lead")
        # Where a deferred item went: the meeting's id and date, not the copy's every column.
        .annotate(deferred_to_meeting_id=F("deferred_to__meeting_id"), deferred_to_date=F("deferred_to__meeting__date"))
        .order_by("position", "pk")
    )
    prefetch_related_objects(
        meeting.item_list,
        Prefetch("papers", queryset=Paper.objects.order_by("title", "pk"), to_attr="paper_list"),
        *item_prefetches,
    )
    meeting.attendance_list = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("person", "deputising_for")
        .order_by("is_guest", "person__full_name", "person__initials")
    )
    for row in (*meeting.item_list, *meeting.attendance_list):
        row.meeting = meeting  # as a prefetch from the meeting would: no query for it
    return meeting


def previous_meeting_of(meeting: Meeting) -> Meeting | None:
    """The board's meeting before this one (by date, then start time)."""
    return (
        Meeting.objects.filter(board_id=meeting.board_id)
        .filter(Q(date__lt=meeting.date) | Q(date=meeting.date, start_time__lt=meeting.start_time))
        .order_by("-date", "-start_time")
        .first()
    )


def _reopenings(history):
    from .services import REOPEN_REASON_PREFIX

    return history.filter(history_change_reason__startswith=REOPEN_REASON_PREFIX)


def meeting_reopenings(meeting):
    """The recorded reopenings of a meeting's approved minutes: who, when and why."""
    return _reopenings(meeting.history).select_related("history_user")


# --- The registers the minutes feed ------------------------------------------------------------


def decision_register(board, access):
    """The board's decisions, newest meeting first, in agenda order: only from meetings whose minutes
    `access` may see, and only from items still on their agenda."""
    return (
        Decision.objects.filter(meeting__board=board, item__removed_at__isnull=True)
        .filter(access.minutes_visible())
        .select_related("meeting", "item")
        .order_by("-meeting__date", "-meeting__start_time", "item__position", "item_id", "position")
    )


def interest_register(board, access):
    """The board's declarations of interest over time, newest meeting first, by person."""
    return (
        Declaration.objects.filter(meeting__board=board)
        .filter(access.minutes_visible())
        .select_related("meeting", "person", "item")
        .order_by("-meeting__date", "-meeting__start_time", "person__full_name", "person__initials", "pk")
    )


def meeting_declarations(meeting) -> list[Declaration]:
    """A meeting's declarations, by person, with the item each concerns."""
    return list(
        Declaration.objects.filter(meeting=meeting)
        .select_related("person", "item")
        .order_by("person__full_name", "person__initials", "none_declared", "pk")
    )


def minutes_versions(meeting):
    """Every approved version of a meeting's minutes, newest first, with who approved it."""
    return (
        MinutesVersion.objects.filter(meeting=meeting)
        .select_related("meeting__board", "approved_by__person")
        .order_by("-number")
    )
