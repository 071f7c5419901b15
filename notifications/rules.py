"""Who gets what: the rules of every message, as plain reads (no writes, no sending).

Nobody without a current seat on the board is mailed, with one exception: a deputy invited to a
meeting in place of a current member gets that meeting's agenda. Nobody without an address is
mailed. Reminders go only to people who have not turned them off; the agenda and minutes always go.
"""

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from actions.models import Action, ActionUpdate, Responsibility
from actions.selectors import answered_by
from meetings.models import Attendance, Board, Meeting, Membership, Person, Role
from meetings.selectors import previous_meeting_of

from .models import Preference


def _seated(board: Board, on: datetime.date) -> QuerySet:
    return Membership.objects.current(on).filter(board=board).values("person_id")


def members(board: Board, *, on: datetime.date | None = None) -> list[Person]:
    """The board's current members with an address, by name."""
    on = on or timezone.localdate()
    return list(Person.objects.filter(pk__in=_seated(board, on)).exclude(email="").order_by("full_name", "pk"))


def agenda_recipients(meeting: Meeting, *, on: datetime.date | None = None) -> list[Person]:
    """Everyone invited to the meeting who sits on the board, and deputies standing in for someone who
    does; guests without a seat are not sent the agenda."""
    on = on or timezone.localdate()
    seated = _seated(meeting.board, on)
    invited = Attendance.objects.filter(meeting=meeting).filter(
        Q(person_id__in=seated) | Q(deputising_for_id__in=seated)
    )
    return list(Person.objects.filter(pk__in=invited.values("person_id")).exclude(email="").order_by("full_name", "pk"))


def meeting_actions(meeting: Meeting) -> QuerySet[Action]:
    """The live actions the meeting raised or updated, by number."""
    updated = ActionUpdate.objects.filter(meeting=meeting).values("action_id")
    return (
        Action.objects.live()
        .filter(board=meeting.board)
        .filter(Q(meeting=meeting) | Q(pk__in=updated))
        .with_people()
        .order_by("number")
    )


def actions_by_person(meeting: Meeting, *, on: datetime.date | None = None) -> dict[Person, list[Action]]:
    """Each current member named on an action the meeting raised or changed (every member, for an
    action of the whole board, "all"): those actions."""
    on = on or timezone.localdate()
    everyone = {p.pk: p for p in members(meeting.board, on=on)}
    result: dict[Person, list[Action]] = defaultdict(list)
    for action in meeting_actions(meeting):
        named = {p.pk for p in action.people}
        for pk, person in everyone.items():
            if pk in named or action.whole_board:
                result[person].append(action)
    return dict(sorted(result.items(), key=lambda kv: (kv[0].full_name, kv[0].pk)))


def wants_reminders(person: Person) -> bool:
    return not Preference.objects.filter(person=person, reminders=False).exists()


def open_actions_of(person: Person, board: Board, *, on: datetime.date | None = None) -> list[Action]:
    """A person's open actions on one board: named on them, or "all" while they sit on it."""
    return list(
        Action.objects.live()
        .open()
        .filter(board=board)
        .filter(answered_by(person, on=on))
        .with_people()
        .order_by("number")
    )


def reminder_recipients(meeting: Meeting, *, on: datetime.date | None = None) -> list[tuple[Person, list[Action]]]:
    """Current members with an address who want reminders and have open actions, with those actions."""
    on = on or timezone.localdate()
    board = meeting.board
    opted_out = Preference.objects.filter(reminders=False).values("person_id")
    named = Responsibility.objects.filter(action__board=board, action__removed_at__isnull=True).filter(
        action__status__in=("open", "in_progress")
    )
    has_all = Action.objects.live().open().filter(board=board, whole_board=True).exists()
    people = (
        Person.objects.filter(pk__in=_seated(board, on))
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .annotate(named=Exists(named.filter(person=OuterRef("pk"))))
        .order_by("full_name", "pk")
    )
    result = []
    for person in people:
        if not (person.named or has_all):
            continue
        actions = open_actions_of(person, board, on=on)
        if actions:
            result.append((person, actions))
    return result


def stale_actions(meeting: Meeting) -> list[Action]:
    """The board's open actions with no update since the meeting before this one (none at all if
    there was none): what the secretary chases."""
    last = previous_meeting_of(meeting)
    updates = ActionUpdate.objects.filter(action=OuterRef("pk"))
    if last is not None:
        updates = updates.filter(Q(meeting=last) | Q(created_at__gte=last.starts_at))
    return list(
        Action.objects.live()
        .open()
        .filter(board=meeting.board)
        .exclude(Exists(updates))
        .with_people()
        .order_by("number")
    )


def digest_recipients(board: Board, *, on: datetime.date | None = None) -> list[Person]:
    """The board's secretaries with an address (the chair when the board has no secretary)."""
    on = on or timezone.localdate()
    for roles in ((Role.SECRETARY,), (Role.CHAIR, Role.VICE_CHAIR)):
        seats = Membership.objects.current(on).filter(board=board, role__in=roles).values("person_id")
        people = list(Person.objects.filter(pk__in=seats).exclude(email="").order_by("full_name", "pk"))
        if people:
            return people
    return []


def meetings_due_reminders(today: datetime.date) -> list[Meeting]:
    """Meetings from today on whose board's reminder window has opened (reminder_days before)."""
    horizon = today + datetime.timedelta(days=366)
    meetings = Meeting.objects.filter(date__gte=today, date__lte=horizon).select_related("board").order_by("date")
    return [m for m in meetings if m.date - datetime.timedelta(days=m.board.reminder_days) <= today]
