"""The one door for access checks: which boards a user sees, and what they may do there."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import EDITOR_ROLES, Board, Membership


def board_for_user(user, slug: str, *, edit: bool = False) -> Board:
    """The board, with `can_edit` and `person` set for this user.

    Outsiders get 404 (a board they do not sit on does not exist for them); members
    asking to change what only editors may change get PermissionDenied (403).
    """
    try:
        board = Board.objects.for_user(user).get(slug=slug)
    except Board.DoesNotExist:
        raise Http404("No such board") from None
    roles = set(
        Membership.objects.current().filter(board=board, person__user=user).values_list("role", flat=True)
    )
    board.can_edit = user.is_staff or bool(roles & set(EDITOR_ROLES))
    board.person = getattr(user, "person", None)
    if edit and not board.can_edit:
        raise PermissionDenied("Only the board's chair, vice chair or secretary may do this.")
    return board
