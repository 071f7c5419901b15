"""Each kind of message as it is written: subject, plain text and HTML, links, attachments.

Built when it is sent (in the background task), from the data as it stands then. Every message
names the board in its subject and links to its page on SITE_URL; documents are attached only where
the board allows attachments, and minutes text is in the body only where it allows that too.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from adoptboard.downloads import document_filename
from meetings.models import Meeting, Person
from meetings.selectors import previous_meeting_of

from . import rules
from .models import Delivery, Kind


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def meeting_label(meeting: Meeting) -> str:
    return f"{meeting.date:%-d %B %Y}"


@dataclass
class Message:
    subject: str
    context: dict
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def _meeting_url(meeting: Meeting) -> str:
    return absolute(reverse("meetings:meeting-detail", args=[meeting.board.slug, meeting.pk]))


def _action_rows(actions) -> list[dict]:
    return [
        {
            "number": a.number,
            "text": a.text,
            "status": a.get_status_display(),
            "responsible": a.responsible_label(),
            "due_date": a.due_date,
            "url": absolute(reverse("actions:action-detail", args=[a.board.slug, a.number])),
            "update_url": absolute(reverse("actions:action-detail", args=[a.board.slug, a.number])) + "#update-h",
        }
        for a in actions
    ]


def _pdf(meeting: Meeting, what: str) -> tuple[str, bytes, str]:
    # Imported here: WeasyPrint costs half a second to import, and only attachments need it.
    from documents import data, pdf

    pack = data.meeting_pack(meeting, with_log=what == "minutes")
    content = pdf.agenda_pdf(pack) if what == "agenda" else pdf.minutes_pdf(pack)
    return document_filename(meeting.board, what, "pdf", on=meeting.date), content, "application/pdf"


def _minutes_text(meeting: Meeting) -> list[dict]:
    return [
        {"title": item.title, "notes": item.notes, "decisions": item.decisions}
        for item in meeting.items.live().order_by("position", "pk")
        if item.notes or item.decisions
    ]


def build(kind: str, meeting: Meeting, person: Person, *, attach: bool = True) -> Message:
    """The message of `kind` about `meeting` for `person`."""
    board = meeting.board
    when = meeting_label(meeting)
    context = {"board": board, "meeting": meeting, "person": person, "when": when, "kind": kind}
    attachments = []
    if kind in (Kind.AGENDA, Kind.AGENDA_UPDATED):
        updated = kind == Kind.AGENDA_UPDATED
        subject = f"{board.name}: {'updated agenda' if updated else 'agenda'} for the meeting on {when}"
        context |= {
            "updated": updated,
            "url": _meeting_url(meeting),
            "pdf_url": absolute(reverse("documents:meeting-agenda-pdf", args=[board.slug, meeting.pk])),
            "pack_url": absolute(reverse("documents:meeting-pack-pdf", args=[board.slug, meeting.pk])),
            "items": list(meeting.items.live().order_by("position", "pk")),
        }
        if board.email_attachments and attach:
            attachments.append(_pdf(meeting, "agenda"))
    elif kind in (Kind.MINUTES_CIRCULATED, Kind.MINUTES_APPROVED):
        approved = kind == Kind.MINUTES_APPROVED
        subject = f"{board.name}: {'approved' if approved else 'draft'} minutes of the meeting on {when}"
        context |= {
            "approved": approved,
            "url": _meeting_url(meeting),
            "pdf_url": absolute(reverse("documents:meeting-minutes-pdf", args=[board.slug, meeting.pk])),
            "minutes": _minutes_text(meeting) if board.email_minutes_text else None,
        }
        if board.email_attachments and attach:
            attachments.append(_pdf(meeting, "minutes"))
    elif kind == Kind.ACTIONS:
        actions = rules.actions_by_person(meeting).get(person, [])
        subject = f"{board.name}: your actions from the meeting on {when}"
        context |= {"actions": _action_rows(actions), "url": absolute(reverse("actions:my-actions"))}
    elif kind == Kind.REMINDER:
        actions = rules.open_actions_of(person, board)
        count = len(actions)
        subject = f"{board.name}: {count} open action{'s' if count != 1 else ''} before the meeting on {when}"
        context |= {
            "actions": _action_rows(actions),
            "url": absolute(reverse("actions:my-actions")),
            "account_url": absolute(reverse("accounts:account")),
        }
    elif kind == Kind.DIGEST:
        actions = rules.stale_actions(meeting)
        last = previous_meeting_of(meeting)
        count = len(actions)
        subject = (
            f"{board.name}: {count} open action{'s' if count != 1 else ''} with no update before the meeting on {when}"
        )
        context |= {
            "actions": _action_rows(actions),
            "last": last and meeting_label(last),
            "url": absolute(reverse("actions:action-list", args=[board.slug]) + "?status=open"),
        }
    else:  # pragma: no cover - a kind without a message is a programming error
        raise ValueError(f"No message for {kind!r}")
    return Message(subject=subject, context=context, attachments=attachments)


def render(delivery: Delivery, *, attach: bool = True) -> EmailMultiAlternatives:
    """The email of a delivery: plain text and HTML, from the kind's two templates."""
    message = build(delivery.kind, delivery.meeting, delivery.person, attach=attach)
    template = "agenda" if delivery.kind in (Kind.AGENDA, Kind.AGENDA_UPDATED) else delivery.kind
    if delivery.kind in (Kind.MINUTES_CIRCULATED, Kind.MINUTES_APPROVED):
        template = "minutes"
    context = message.context | {"subject": message.subject}
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[delivery.address],
    )
    email.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    for name, content, mimetype in message.attachments:
        email.attach(name, content, mimetype)
    return email


def render_preview(kind: str, meeting: Meeting, person: Person) -> dict:
    """What `person` would receive, for the send page: subject, plain text, the attachment's name
    (the PDF itself is rendered only when sent)."""
    email = render(Delivery(kind=kind, meeting=meeting, person=person, address=person.email), attach=False)
    board = meeting.board
    what = "agenda" if kind in (Kind.AGENDA, Kind.AGENDA_UPDATED) else "minutes"
    return {
        "subject": email.subject,
        "text": email.body,
        "to": person,
        "attachment": document_filename(board, what, "pdf", on=meeting.date) if board.email_attachments else None,
    }
