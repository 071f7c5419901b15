import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.models import Action, Status
from meetings.models import AttendanceStatus, Board, Meeting, Membership, Person, Role

SLUG = "south-east-alb"


def feb_meeting():
    return Meeting.objects.get(board__slug=SLUG, date=datetime.date(2024, 2, 23))


def test_it_creates_the_board(demo_board):
    assert demo_board.name == "South East Region Adoption Leadership Board"
    assert demo_board.slug == SLUG


@pytest.mark.parametrize(
    "initials,name,organisation,role",
    [
        ("MH", "Dr Mac Heath", "Milton Keynes", Role.CHAIR),
        ("LH", "Lorna Hunt", "PACT", Role.VICE_CHAIR),
        ("RE", "Rebecca Eligon", "SESLIP", Role.SECRETARY),
        ("KY", "Kevin Yong", "Corum", Role.MEMBER),
        ("RM", "Richard Morris", "CAFCASS", Role.MEMBER),
        ("TR", "Teresa Rogers", "Adopt Thames Valley", Role.MEMBER),
    ],
)
def test_it_creates_the_people_with_their_roles(demo_board, initials, name, organisation, role):
    m = Membership.objects.get(board=demo_board, person__initials=initials)
    assert (m.person.full_name, m.person.organisation, m.role) == (name, organisation, role)


def test_it_creates_the_feb_meeting_with_its_times(demo_board):
    m = feb_meeting()
    assert (m.start_time, m.end_time) == (datetime.time(10), datetime.time(11, 30))


def test_it_records_attendance_apologies_and_the_deputy(demo_board):
    rows = {a.person.initials: a for a in feb_meeting().attendances.select_related("person", "deputising_for")}
    present = {i for i, a in rows.items() if a.status == AttendanceStatus.PRESENT}
    apologies = {i for i, a in rows.items() if a.status == AttendanceStatus.APOLOGIES}
    assert present == {"MH", "LH", "RE", "TR", "RR", "CA"}
    assert apologies == {"MW", "AC", "SC", "KY", "RM"}
    assert rows["CA"].deputising_for.initials == "SC"


def test_it_creates_the_agenda_items_with_their_minutes(demo_board):
    items = list(feb_meeting().items.all())
    assert [i.title for i in items] == [
        "Introductions",
        "Analysis of adoption breakdown",
        "Data",
        "Continuation of this meeting",
        "Future agenda items",
    ]
    assert items[1].lead.initials == "TR"
    assert items[1].notes.startswith("TR presented the data")
    assert sorted(a.number for a in items[1].actions_raised.all()) == [75, 76]


def test_it_creates_the_action_log_59_to_76(demo_board):
    assert sorted(Action.objects.filter(board=demo_board).values_list("number", flat=True)) == list(range(59, 77))


def test_action_73_is_open_for_ky_issued_oct_2023(demo_board):
    a = Action.objects.get(board=demo_board, number=73)
    assert a.status == Status.OPEN
    assert [p.initials for p in a.responsible.all()] == ["KY"]
    assert a.issued_on == datetime.date(2023, 10, 1)
    assert a.text.startswith("KY noted there was a project on case management systems")


def test_action_76_is_complete_for_all(demo_board):
    a = Action.objects.get(board=demo_board, number=76)
    assert (a.status, a.whole_board, a.responsible.count()) == (Status.COMPLETE, True, 0)
    assert a.responsible_label() == "all"
    assert a.issued_on.strftime("%b %Y") == "Feb 2024"


def test_action_64_is_closed_with_the_kinship_note(demo_board):
    a = Action.objects.get(board=demo_board, number=64)
    assert (a.status, a.status_note) == (Status.CLOSED, "move to kinship care group")


def test_responsibles_are_written_as_in_the_seed(demo_board):
    labels = {a.number: a.responsible_label() for a in Action.objects.filter(board=demo_board)}
    assert labels[67] == "RE/MH"
    assert labels[65] == "RE/MH/LH"
    assert labels[70] == "MH and all"
    assert labels[61] == "RE/LP"


def test_the_next_number_is_77(demo_board):
    demo_board.refresh_from_db()
    assert demo_board.next_action_number == 77


def test_it_creates_the_three_upcoming_meetings(demo_board):
    dates = list(
        Meeting.objects.filter(board=demo_board, date__gt=datetime.date(2024, 2, 23))
        .order_by("date")
        .values_list("date", "start_time")
    )
    assert dates == [
        (datetime.date(2024, 4, 17), datetime.time(14)),
        (datetime.date(2024, 7, 17), datetime.time(14)),
        (datetime.date(2024, 10, 16), datetime.time(14)),
    ]


def test_it_creates_the_forward_plan(demo_board):
    assert [t.title for t in demo_board.topics.all()][0] == "PLO working group report"
    assert demo_board.topics.count() == 3


@pytest.mark.parametrize(
    "username,name", [("secretary", "Rebecca Eligon"), ("chair", "Dr Mac Heath"), ("member", "Kevin Yong")]
)
def test_it_creates_the_logins(demo_board, username, name):
    user = get_user_model().objects.get(username=username)
    assert user.person.full_name == name
    assert user.check_password("demo-pass")


def test_it_prints_a_generated_password_when_none_is_given(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    password = out.getvalue().split("Password for the demo logins: ")[1].split()[0]
    assert get_user_model().objects.get(username="chair").check_password(password)


def snapshot():
    from meetings.models import AgendaItem, Attendance, Topic

    models = [Board, Person, Membership, Meeting, Attendance, AgendaItem, Topic, Action, get_user_model()]
    return {m.__name__: sorted(map(str, m.objects.values_list())) for m in models}


def test_running_it_twice_changes_nothing(demo_board):
    before = snapshot()
    call_command("load_demo", password="demo-pass", stdout=io.StringIO())
    assert snapshot() == before
