"""Reads that need care: what the dashboard and board page show."""

from django.db.models import Count, Prefetch, Q

from actions.models import OPEN_STATUSES, Action

from .models import Board, Meeting, Membership


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


def my_open_actions(person, limit: int | None = None):
    qs = Action.objects.live().open().for_person(person).select_related("board").prefetch_related("responsibilities__person")
    qs = qs.order_by("board__name", "-number")
    return qs[:limit] if limit else qs


def board_members(board):
    return Membership.objects.current().filter(board=board).select_related("person").order_by("role", "person__full_name")


def board_people(board):
    """Everyone the board knows: members past and present, attendees and people named on its actions."""
    from .models import Person

    return Person.objects.filter(
        Q(memberships__board=board) | Q(attendances__meeting__board=board) | Q(responsibilities__action__board=board)
    ).distinct().order_by("full_name", "initials")
