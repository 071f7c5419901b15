"""The one door: which boards a user sees, and what they may do there, as named predicates.

Views get the board through `board_for_user`, which attaches the user's `Access`; templates ask
`board.access`; services that act for a user ask `access_for(user, board)`. DESIGN.md "Who may
do what": members read; the chair, vice chair and secretary run the board, approve minutes and
reopen them; staff may do everything; people who do not sit on a board get 404.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import EDITOR_ROLES, Board, MeetingStatus, Membership, current_seats

EDIT_REFUSED = "Only the board's chair, vice chair or secretary may do this."
TWO_FACTOR_REFUSED = "This board asks its chair, vice chair and secretary to use two-factor login."


class TwoFactorRequired(PermissionDenied):
    """An officer of a board that requires two-factor login, in a session that gave no second factor.

    A 403 to anything that does not know better; the accounts app's middleware sends the user to
    set two-factor login up (or to give a code) instead.
    """


def is_verified(user) -> bool:
    """Did this session give a second factor? django-otp's OTPMiddleware puts `is_verified` on the
    request's user; a user from anywhere else (a service, a command) has given none."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


@dataclass(frozen=True)
class Access:
    """What one user may do on one board they can see."""

    user: object
    is_staff: bool
    # A current seat on the board, in any role.
    is_member: bool
    # A current seat as chair, vice chair or secretary.
    is_editor: bool
    # An officer of a board that requires two-factor login, without it in this session: may read,
    # may not edit until they have given a code (Board.require_two_factor).
    two_factor_missing: bool = False

    @property
    def person(self):
        return getattr(self.user, "person", None)

    @property
    def can_edit(self) -> bool:
        """Run the board: meetings, attendance, agenda, minutes, actions, forward plan, people."""
        return (self.is_staff or self.is_editor) and not self.two_factor_missing

    @property
    def may_restore(self) -> bool:
        """Put a removed agenda item or action back (the board's history page)."""
        return self.can_edit

    @property
    def may_approve(self) -> bool:
        return self.can_edit

    @property
    def may_reopen(self) -> bool:
        return self.can_edit

    def may_see_minutes(self, meeting) -> bool:
        """Editors see draft minutes; members once they are circulated, or once approved."""
        # Reading: an officer still to give a second factor reads what they would edit.
        return self.is_staff or self.is_editor or minutes_released(meeting)

    def minutes_visible(self, prefix: str = "meeting__") -> Q:
        """`may_see_minutes` as a filter, for lists drawn from many meetings' minutes (the decisions
        and interests registers): `prefix` leads from the rows to their meeting."""
        if self.is_staff or self.is_editor:
            return Q()
        return Q(**{f"{prefix}minutes_circulated_at__isnull": False}) | Q(**{f"{prefix}status": MeetingStatus.APPROVED})

    def may_see_requested(self, requested_by_id) -> bool:
        """A document prepared on someone's request (the long action log's PDF) is theirs alone:
        it prints their filters, so nobody else sees it, staff and editors included."""
        return self.user is not None and self.user.pk == requested_by_id

    def may_update_action(self, action) -> bool:
        """Add a progress update: editors, the people named on it, and every member for an "all" action.

        `action` has `people` (see actions.models.Action.people) and `whole_board`.
        """
        if self.can_edit:
            return True
        person = self.person
        if person is None or not self.is_member:
            return False
        return action.whole_board or any(p.pk == person.pk for p in action.people)


def minutes_released(meeting) -> bool:
    """Every member may read these minutes: circulated, or approved. Documents that are the same for
    everyone on the board (the board pack) print only released minutes."""
    return meeting.minutes_circulated_at is not None or meeting.is_locked


def board_for_user(user, slug: str, *, edit: bool = False) -> Board:
    """The board, with this user's `access` attached: the board by its slug, the seats from the
    user's current seats (read once a request, `current_seats`).

    Outsiders get 404 (a board they do not sit on does not exist for them); members asking to
    change what only editors may change get PermissionDenied (403).
    """
    try:
        board = Board.objects.for_user(user).get(slug=slug)
    except Board.DoesNotExist:
        raise Http404("No such board") from None
    # Anyone but staff sees the board only through a current seat (BoardQuerySet.for_user).
    roles = current_seats(user).get(board.pk, frozenset())
    is_editor = bool(roles & set(EDITOR_ROLES))
    board.access = Access(
        user=user,
        is_staff=user.is_staff,
        is_member=bool(roles) or not user.is_staff,
        is_editor=is_editor,
        two_factor_missing=board.require_two_factor and is_editor and not is_verified(user),
    )
    if edit and board.access.two_factor_missing:
        raise TwoFactorRequired(TWO_FACTOR_REFUSED)
    if edit and not board.access.can_edit:
        raise PermissionDenied(EDIT_REFUSED)
    return board


def access_for(user, board: Board) -> Access:
    """The user's access to a board, for services acting on a user's behalf (one query)."""
    if user is None or not user.is_authenticated:
        return Access(user=user, is_staff=False, is_member=False, is_editor=False)
    roles = set(Membership.objects.current().filter(board=board, person__user=user).values_list("role", flat=True))
    return Access(user=user, is_staff=user.is_staff, is_member=bool(roles), is_editor=bool(roles & set(EDITOR_ROLES)))


def boards_run_by(user):
    """The boards a user runs (a current seat as chair, vice chair or secretary); staff run every board."""
    if user is None or not user.is_authenticated:
        return Board.objects.none()
    if user.is_staff:
        return Board.objects.all()
    seats = Membership.objects.current().filter(person__user=user, role__in=EDITOR_ROLES).values("board_id")
    return Board.objects.filter(pk__in=seats)


def require(allowed: bool, message: str = EDIT_REFUSED) -> None:
    """Refuse (403) unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
