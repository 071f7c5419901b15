"""Every write of notifications: deciding who is sent what (Delivery rows), then queueing the sending
for after the commit. The sending itself is the background task (tasks.deliver)."""

import datetime
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import Meeting, Person
from meetings.services import agenda_issue, lock_meeting_for_edit

from . import rules
from .models import Delivery, Kind, Preference
from .tasks import enqueue_after_commit


def _queue(kind: str, meeting: Meeting, people: list[Person], batch: uuid.UUID) -> list[Delivery]:
    rows = Delivery.objects.bulk_create(
        [Delivery(kind=kind, meeting=meeting, person=p, address=p.email, batch=batch) for p in people]
    )
    enqueue_after_commit([d.pk for d in rows])
    return rows


def agenda_was_sent(meeting: Meeting) -> bool:
    return Delivery.objects.filter(meeting=meeting, kind__in=(Kind.AGENDA, Kind.AGENDA_UPDATED)).exists()


@transaction.atomic
def agenda_send(*, meeting: Meeting, by) -> list[Delivery]:
    """Send the agenda to everyone invited (and their deputies); the meeting becomes "agenda issued".
    Sent again, it is the updated agenda and says so."""
    # Under the meeting's lock, so two editors pressing "Send" at once send one agenda and one update.
    lock_meeting_for_edit(meeting)
    updated = agenda_was_sent(meeting)
    meeting = agenda_issue(meeting=meeting, by=by, updated=updated)  # checks access, marks it issued
    people = rules.agenda_recipients(meeting)
    return _queue(Kind.AGENDA_UPDATED if updated else Kind.AGENDA, meeting, people, uuid.uuid4())


def _claim(kind: str, meeting: Meeting, person: Person, batch: uuid.UUID) -> Delivery | None:
    """Insert the once-per-meeting row, or None when it is already there (sent before, or claimed a
    moment ago by another run: PostgreSQL makes the second insert wait for the first's commit)."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(kind=kind, meeting=meeting, person=person, address=person.email, batch=batch)
    except IntegrityError:
        return None


def minutes_notify(*, meeting: Meeting, approved: bool) -> list[Delivery]:
    """Circulated or approved minutes: every current member is told, with a link; each person named
    on an action the meeting raised or changed gets those actions (once per meeting)."""
    batch = uuid.uuid4()
    kind = Kind.MINUTES_APPROVED if approved else Kind.MINUTES_CIRCULATED
    rows = _queue(kind, meeting, rules.members(meeting.board), batch)
    claimed = [_claim(Kind.ACTIONS, meeting, person, batch) for person in rules.actions_by_person(meeting)]
    claimed = [d for d in claimed if d is not None]
    enqueue_after_commit([d.pk for d in claimed])
    return rows + claimed


@dataclass
class ReminderRun:
    meetings: int = 0
    queued: int = 0
    already_sent: int = 0


def reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    """For each meeting whose board's reminder window has opened: one reminder per person with open
    actions (unless they turned reminders off), and the secretary's digest of actions with no update
    since the last meeting. Each claimed before it is queued, in its own transaction, so two runs at
    once send each message once."""
    today = today or timezone.localdate()
    run = ReminderRun()
    for meeting in rules.meetings_due_reminders(today):
        run.meetings += 1
        batch = uuid.uuid4()
        wanted = [(Kind.REMINDER, person) for person, _ in rules.reminder_recipients(meeting, on=today)]
        if rules.stale_actions(meeting):
            wanted += [(Kind.DIGEST, person) for person in rules.digest_recipients(meeting.board, on=today)]
        for kind, person in wanted:
            with transaction.atomic():
                delivery = _claim(kind, meeting, person, batch)
                if delivery is None:
                    run.already_sent += 1
                    continue
                enqueue_after_commit([delivery.pk])
                run.queued += 1
    return run


@transaction.atomic
def reminders_set(*, person: Person, on: bool) -> Preference:
    """Turn a person's action reminders on or off (formal circulation cannot be turned off)."""
    preference, _ = Preference.objects.select_for_update().get_or_create(person=person)
    if preference.reminders != on:
        preference.reminders = on
        preference.save(update_fields=["reminders"])
    return preference


def delivery_summary(meeting: Meeting) -> list[dict]:
    """The latest send of each kind for the meeting page: "Agenda sent to 12, 1 failed: address refused"."""
    rows = list(Delivery.objects.filter(meeting=meeting).select_related("person").order_by("-created_at", "-pk"))

    def group(kind: str) -> str:
        return Kind.AGENDA if kind in (Kind.AGENDA, Kind.AGENDA_UPDATED) else kind

    latest: dict[str, uuid.UUID] = {}
    for d in rows:
        latest.setdefault(group(d.kind), d.batch)
    summary = []
    for kind, batch in latest.items():
        sent = [d for d in rows if d.batch == batch and group(d.kind) == kind]
        failed = [d for d in sent if d.status == "failed"]
        summary.append(
            {
                "kind": kind,
                "label": sent[0].get_kind_display(),
                "count": len(sent),
                "delivered": sum(d.status == "sent" for d in sent),
                "queued": sum(d.status == "queued" for d in sent),
                "failed": failed,
                "at": max(d.created_at for d in sent),
            }
        )
    return summary
