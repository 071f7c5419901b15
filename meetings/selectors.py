"""Reads that need care: a board's meetings and people, and what the meeting page shows."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from .models import AgendaItem, Attendance, Board, Meeting, Membership, Paper, Person


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


def meeting_for_page(board, pk, *, item_prefetches=()):
    """One meeting of the board with what its page shows alongside: items and their papers, attendance.

    `item_prefetches` adds what other apps show on each item (the actions raised there).
    """
    items = (
        AgendaItem.objects.live()
        .select_related("lead", "deferred_to__meeting")
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("papers", queryset=Paper.objects.order_by("title", "pk"), to_attr="paper_list"),
            *item_prefetches,
        )
    )
    attendance = Attendance.objects.select_related("person", "deputising_for").order_by(
        "is_guest", "person__full_name", "person__initials"
    )
    return get_object_or_404(
        Meeting.objects.select_related("board", "approved_by").prefetch_related(
            Prefetch("items", queryset=items, to_attr="item_list"),
            Prefetch("attendances", queryset=attendance, to_attr="attendance_list"),
        ),
        board=board,
        pk=pk,
    )


def meeting_reopenings(meeting):
    """The recorded reopenings of a meeting's approved minutes: who, when and why."""
    from .services import REOPEN_REASON_PREFIX

    return meeting.history.filter(history_change_reason__startswith=REOPEN_REASON_PREFIX).select_related("history_user")
