"""Sending the agenda (preview, then send) and one's own reminder choice."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from adoptboard.http import post_only
from meetings.models import Meeting
from meetings.permissions import board_for_user

from . import rules, services
from .messages import render_preview
from .models import Kind


@require_http_methods(["GET", "HEAD", "POST"])
def agenda_send(request, slug, pk):
    """GET: who will get the agenda and what it says; POST: send it (in the background)."""
    board = board_for_user(request.user, slug, edit=True)
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board=board, pk=pk)
    if request.method == "POST":
        try:
            sent = services.agenda_send(meeting=meeting, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            what = "Updated agenda" if sent and sent[0].kind == Kind.AGENDA_UPDATED else "Agenda"
            messages.success(request, f"{what} sent to {len(sent)} {'person' if len(sent) == 1 else 'people'}.")
        return redirect(meeting)
    recipients = rules.agenda_recipients(meeting)
    updated = services.agenda_was_sent(meeting)
    kind = Kind.AGENDA_UPDATED if updated else Kind.AGENDA
    example = recipients[0] if recipients else request.user.person if hasattr(request.user, "person") else None
    preview = render_preview(kind, meeting, example) if example is not None else None
    return render(
        request,
        "notifications/agenda_send.html",
        {
            "board": board,
            "meeting": meeting,
            "recipients": recipients,
            "updated": updated,
            "preview": preview,
            "current": "send-agenda",
            "current_label": "Send the agenda",
        },
    )


@post_only("accounts:account")
def reminders_choice(request):
    """The account page's reminder switch."""
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(
            request, "Your login is not linked to a person on any board, so there is nothing to remind you of."
        )
        return redirect("accounts:account")
    on = request.POST.get("reminders") == "on"
    services.reminders_set(person=person, on=on)
    messages.success(request, "Action reminders turned on." if on else "Action reminders turned off.")
    return redirect("accounts:account")
