"""Templates ask the permission module (meetings.permissions) rather than re-deciding."""

from django import template

register = template.Library()


@register.filter
def may_see_minutes(board, meeting) -> bool:
    """`{% if board|may_see_minutes:meeting %}`: the same rule the minutes downloads apply."""
    return board.access.may_see_minutes(meeting)


@register.filter
def may_update_action(board, action) -> bool:
    """`{% if board|may_update_action:action %}`: may this user add a progress update?"""
    return board.access.may_update_action(action)
