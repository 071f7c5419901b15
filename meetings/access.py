"""The one door for access checks: which boards a user sees, and what they may do there."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from .models import EDITOR_ROLES, Board, Membership


def board_for_user(user, slug: str, *, edit: bool = False) -> Board:
    """The board, with `can_edit` and `person` set for this user.

    Outsiders get 404 (a board they do not sit on does not exist for them); members
    asking to change what only editors may change get PermissionDenied (403).
    """
    editor_seat = Membership.objects.current().filter(board=OuterRef("pk"), person__user=user, role__in=EDITOR_ROLES)
    try:
        board = Board.objects.for_user(user).annotate(is_editor=Exists(editor_seat)).get(slug=slug)
    except Board.DoesNotExist:
        raise Http404("No such board") from None
    board.can_edit = user.is_staff or board.is_editor
    board.person = getattr(user, "person", None)
    if edit and not board.can_edit:
        raise PermissionDenied("Only the board's chair, vice chair or secretary may do this.")
    return board


def minutes_visible(board: Board, meeting) -> bool:
    """Editors see draft minutes; members once the secretary has circulated them, or once approved.

    `board` comes from board_for_user (its `can_edit` is this user's).
    """
    return board.can_edit or meeting.minutes_circulated_at is not None or meeting.is_locked
