"""Template helpers for the document downloads."""

from django import template

from meetings import access, views_documents

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_subscription_url(context, board) -> str:
    """The signed-in user's private link for subscribing to the board's calendar."""
    return views_documents.calendar_subscription_url(context["request"], board)


@register.filter
def minutes_visible(meeting, board) -> bool:
    """May this user read the meeting's minutes yet? (The same rule the download views apply.)"""
    return access.minutes_visible(board, meeting)
