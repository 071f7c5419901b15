"""The meeting page's email panel and the account page's reminder switch, for templates that cannot
import this app's code (meetings and accounts render them with `{% load notifications %}`)."""

from django import template

from ..models import Kind, Preference
from ..services import delivery_summary

register = template.Library()


@register.inclusion_tag("notifications/_meeting_panel.html")
def meeting_email_panel(board, meeting):
    """Editors only: "Send agenda" and what was sent ("Agenda sent to 12, 1 failed: address refused")."""
    editor = board.access.can_edit
    summary = delivery_summary(meeting) if editor else []
    return {
        "board": board,
        "meeting": meeting,
        "editor": editor,
        "summary": summary,
        "agenda_sent": any(s["kind"] == Kind.AGENDA for s in summary),
    }


@register.inclusion_tag("notifications/_reminders_choice.html", takes_context=True)
def reminders_choice(context):
    person = getattr(context["user"], "person", None)
    on = person is not None and not Preference.objects.filter(person=person, reminders=False).exists()
    return {"person": person, "on": on, "csrf_token": context.get("csrf_token")}
