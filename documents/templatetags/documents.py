"""Template helpers for the document downloads."""

from django import template

from documents import views

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_subscription_url(context, board) -> str:
    """The signed-in user's private link for subscribing to the board's calendar."""
    return views.calendar_subscription_url(context["request"], board)
