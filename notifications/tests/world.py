"""A board with people in every situation the rules care about, for the notifications tests."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from actions.models import Action, ActionUpdate, Responsibility, Status
from meetings.models import Attendance, Board, Meeting, Membership, Person, Role


@dataclass
class World:
    board: Board
    last: Meeting  # the meeting before: 27 days before `today` (3 November 2026 on the test clock)
    meeting: Meeting  # 3 days after `today` (3 December 2026), in its 7-day reminder window
    secretary: Person
    chair: Person
    member: Person  # named on action 1 (raised at `meeting`) and action 2
    quiet: Person  # a member with no actions
    noemail: Person  # a member without an address
    former: Person  # left the board last month; still named on action 2
    deputy: Person  # no seat: stands in for the chair at `meeting`
    guest: Person  # no seat: a guest at `meeting`
    a1: Action
    a2: Action
    a3: Action  # closed


def person(name, initials, email, *, board=None, role=Role.MEMBER, until=None, username=None):
    user = None
    if username:
        user = get_user_model().objects.create_user(username=username, password="pw-" + username, email=email)
    p = Person.objects.create(full_name=name, initials=initials, email=email, user=user, organisation="Council")
    if board is not None:
        since = datetime.date(2020, 1, 1)
        Membership.objects.create(board=board, person=p, role=role, since=since, until=until)
    return p


def build_world(today: datetime.date = datetime.date(2026, 11, 30), **board_settings) -> World:
    board = Board.objects.create(
        name="Test Region Adoption Leadership Board", slug="test-alb", short_name="Test ALB", **board_settings
    )
    t = datetime.time
    day = datetime.timedelta(days=1)
    last = Meeting.objects.create(board=board, date=today - 27 * day, start_time=t(14), end_time=t(16))
    meeting = Meeting.objects.create(
        board=board, date=today + 3 * day, start_time=t(14), end_time=t(16), place="County Hall"
    )
    secretary = person("Sally Secretary", "SS", "sally@example.org", board=board, role=Role.SECRETARY, username="sec")
    chair = person("Colin Chair", "CC", "colin@example.org", board=board, role=Role.CHAIR, username="chairperson")
    member = person("Mary Member", "MM", "mary@example.org", board=board, username="mem")
    quiet = person("Quentin Quiet", "QQ", "quentin@example.org", board=board, username="quiet")
    noemail = person("Nora Noemail", "NN", "", board=board)
    former = person("Fred Former", "FF", "fred@example.org", board=board, until=today - 30 * day)
    deputy = person("Debbie Deputy", "DD", "debbie@example.org")
    guest = person("Gary Guest", "GG", "gary@example.org")
    for p in (secretary, chair, member, quiet, noemail):
        Attendance.objects.create(meeting=meeting, person=p)
    Attendance.objects.create(meeting=meeting, person=deputy, deputising_for=chair)
    Attendance.objects.create(meeting=meeting, person=guest, is_guest=True)
    # A former member invited before leaving is still not mailed.
    Attendance.objects.create(meeting=meeting, person=former)

    def action(number, text, people, **fields):
        a = Action.objects.create(board=board, number=number, text=text, issued_on=last.date, **fields)
        for i, p in enumerate(people):
            Responsibility.objects.create(action=a, person=p, position=i)
        return a

    a1 = action(1, "Write the recruitment plan", [member], meeting=meeting)
    a2 = action(2, "Chase the adopter survey", [member, former], meeting=last)
    a3 = action(3, "Book the room", [quiet], status=Status.CLOSED, meeting=last)
    # Action 2 was updated at the last meeting; action 1 never: only 1 goes in the secretary's digest.
    ActionUpdate.objects.create(
        action=a2,
        meeting=last,
        note="Asked again",
        status_before=Status.OPEN,
        status_after=Status.IN_PROGRESS,
        created_at=last.starts_at,
    )
    Action.objects.filter(pk=a2.pk).update(status=Status.IN_PROGRESS)
    return World(board, last, meeting, secretary, chair, member, quiet, noemail, former, deputy, guest, a1, a2, a3)
