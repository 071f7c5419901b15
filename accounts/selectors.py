"""Reads of the account page."""

from meetings.models import Membership


def account_seats(user):
    """The user's current seats, board by board, with the board to link to."""
    person = getattr(user, "person", None)
    if person is None:
        return Membership.objects.none()
    return Membership.objects.current().filter(person=person).select_related("board").order_by("board__name")
