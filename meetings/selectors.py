"""Reads that need care: what the dashboard and board page show."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from actions.models import OPEN_STATUSES, Action, ActionUpdate, Responsibility

from .models import AgendaItem, Attendance, Board, Meeting, Membership, Paper, Person


def boards_with_counts(user):
    return Board.objects.for_user(user).annotate(
        open_actions=Count(
            "actions",
            filter=Q(actions__status__in=OPEN_STATUSES, actions__removed_at__isnull=True),
            distinct=True,
        )
    )


def upcoming_meetings(user, limit: int = 10):
    boards = Board.objects.for_user(user)
    return Meeting.objects.filter(board__in=boards).upcoming().select_related("board")[:limit]


def board_members(board):
    return (
        Membership.objects.current().filter(board=board).select_related("person").order_by("role", "person__full_name")
    )


def board_people(board, *, named=None):
    """Everyone the board knows: members past and present, attendees and people named on its actions.

    Three IN-subqueries, not joins: joining memberships, attendances and responsibilities at once
    multiplies their rows per person before DISTINCT (2.3 s on a board with 10,000 actions).
    `named`, the ids of the people named on its actions, is for a caller that has them already.
    """
    if named is None:
        named = Responsibility.objects.filter(action__board=board).values("person_id")
    return Person.objects.filter(
        Q(pk__in=Membership.objects.filter(board=board).values("person_id"))
        | Q(pk__in=Attendance.objects.filter(meeting__board=board).values("person_id"))
        | Q(pk__in=named)
    ).order_by("full_name", "initials")


def meeting_for_page(board, pk):
    """One meeting of the board with what its page shows alongside: items, papers, actions raised, attendance."""
    items = (
        AgendaItem.objects.live()
        .select_related("lead", "deferred_to__meeting")
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("papers", queryset=Paper.objects.order_by("title", "pk"), to_attr="paper_list"),
            Prefetch(
                "actions_raised",
                queryset=Action.objects.live().with_people().order_by("number"),
                to_attr="action_list",
            ),
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


def _update_is_before(meeting):
    """Updates that happened before `meeting` began.

    An update recorded at a meeting counts at that meeting's date (minutes are often typed up
    later, so its created_at may be long after); an update between meetings counts at created_at.
    """
    return Q(meeting__isnull=False) & (
        Q(meeting__date__lt=meeting.date) | Q(meeting__date=meeting.date, meeting__start_time__lt=meeting.start_time)
    ) | Q(meeting__isnull=True, created_at__lt=meeting.starts_at)


def review_actions(meeting):
    """The carry-forward set of a meeting (DESIGN.md): the board's actions raised before it and still
    open when it began, plus those it raised — newest number first, with people prefetched.

    "Open when it began" is read from the ActionUpdate history in the same single query:
    the status after the last update before the start; failing that, the status before the first
    update after it; failing that (no updates at all), the action's current status. So closing an
    action at this meeting keeps it on this meeting's review but drops it from the next one's.
    """
    before = _update_is_before(meeting)
    updates = ActionUpdate.objects.filter(action=OuterRef("pk"))
    status_at_start = Coalesce(
        Subquery(updates.filter(before).order_by("-created_at", "-pk").values("status_after")[:1]),
        Subquery(updates.exclude(before).order_by("created_at", "pk").values("status_before")[:1]),
        "status",
    )
    return (
        Action.objects.live()
        .filter(board_id=meeting.board_id)
        .annotate(status_at_start=status_at_start)
        .filter(Q(meeting=meeting) | Q(issued_on__lt=meeting.date, status_at_start__in=OPEN_STATUSES))
        .with_people()
        .order_by("-number")
    )


def meeting_reopenings(meeting):
    """The recorded reopenings of a meeting's approved minutes: who, when and why."""
    from .services import REOPEN_REASON_PREFIX

    return meeting.history.filter(history_change_reason__startswith=REOPEN_REASON_PREFIX).select_related("history_user")
