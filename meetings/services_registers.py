"""Writes to a meeting's declarations of interest (the board's register of interests).

Each takes the meeting's row lock and refuses approved minutes, like every write to a meeting;
django-simple-history keeps a row for every declaration recorded, replaced or removed.
(Decisions are written with the item's minutes: meetings.services.decisions_sync.)
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import AgendaItem, AttendanceStatus, Declaration, Meeting, Person
from .services import lock_meeting_for_edit

INTEREST_MAX = 2000


def declarants(meeting: Meeting) -> list[Person]:
    """Who declares at a meeting: everyone present, guests and deputies included, by name."""
    return [
        a.person
        for a in meeting.attendances.filter(status=AttendanceStatus.PRESENT)
        .select_related("person")
        .order_by("person__full_name", "person__initials")
    ]


def _check_declarant(meeting: Meeting, person: Person) -> None:
    if not meeting.attendances.filter(person=person, status=AttendanceStatus.PRESENT).exists():
        raise ValidationError(
            {"person": f"{person} is not recorded as present at this meeting: save the attendance first."},
            code="not_present",
        )


@transaction.atomic
def declaration_add(
    *, meeting: Meeting, person: Person, interest: str, item: AgendaItem | None = None, by=None
) -> Declaration:
    """Record an interest declared by someone present, on an item of the meeting or in general.

    A "none declared" recorded for them before is replaced: they have now declared one.
    """
    lock_meeting_for_edit(meeting)
    interest = interest.strip()
    if not interest:
        raise ValidationError({"interest": "Say what the interest is."}, code="no_interest")
    if len(interest) > INTEREST_MAX:
        raise ValidationError({"interest": f"Keep it under {INTEREST_MAX:,} characters."}, code="too_long")
    if item is not None and (item.meeting_id != meeting.pk or item.removed_at is not None):
        raise ValidationError({"item": "Choose an item on this meeting's agenda."}, code="wrong_item")
    _check_declarant(meeting, person)
    for none in Declaration.objects.filter(meeting=meeting, person=person, none_declared=True):
        none._history_user = by
        none.delete()
    declaration = Declaration(meeting=meeting, person=person, item=item, interest=interest)
    declaration._history_user = by
    declaration.save()
    return declaration


@transaction.atomic
def declarations_none(*, meeting: Meeting, people: list[Person], by=None) -> list[Declaration]:
    """Record "none declared" for each of `people` who has declared nothing at the meeting yet."""
    lock_meeting_for_edit(meeting)
    for person in people:
        _check_declarant(meeting, person)
    done = set(Declaration.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    created = []
    for person in people:
        if person.pk in done:
            continue
        declaration = Declaration(meeting=meeting, person=person, none_declared=True)
        declaration._history_user = by
        declaration.save()
        created.append(declaration)
        done.add(person.pk)
    return created


@transaction.atomic
def declaration_remove(*, declaration: Declaration, by=None) -> None:
    """Take a declaration off the meeting's record (it stays in the audit trail)."""
    lock_meeting_for_edit(declaration.meeting)
    declaration._history_user = by
    declaration.delete()
