"""A board's people: members, past members and guests; adding, editing, seats, initials that stay unique."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from conftest import make_person
from meetings.models import Attendance, Membership, Person, Role
from meetings.services import meeting_schedule
from meetings.services_people import suggest_initials

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)  # the tests' clock (conftest)


def people_url(board):
    return reverse("meetings:board-people", args=[board.slug])


def add(client, board, **data):
    return client.post(reverse("meetings:member-add", args=[board.slug]), {"role": "member", **data})


@pytest.fixture
def richard(board):
    person = Person.objects.create(full_name="Richard Morris", initials="RM", organisation="CAFCASS")
    Membership.objects.create(board=board, person=person, role=Role.MEMBER)
    return person


@pytest.fixture
def meeting(board, secretary):
    return meeting_schedule(
        board=board, date=datetime.date(2026, 10, 1), start_time=datetime.time(14), end_time=datetime.time(15)
    )


def test_it_suggests_free_initials_like_the_minutes_would():
    assert suggest_initials("Richard Morris", "RM", {"RM"}) == "RMo"
    assert suggest_initials("Richard Morris", "RM", {"RM", "RMO"}) == "RMor"
    assert suggest_initials("Kim", "K", {"K"}) == "Ki"
    assert suggest_initials("Jo Li", "JL", {"JL", "JLI"}) == "JoL"


def test_the_secretary_adds_a_new_person_as_a_member(client, board, secretary):
    client.force_login(secretary)
    response = add(
        client,
        board,
        full_name="Lorna Hunt",
        initials="LH",
        organisation="PACT",
        job_title="Service director",
        email="lorna@pact.example",
        role="vice_chair",
        role_label="VICE CHAIR",
        since="2026-12-01",
    )
    assert response.status_code == 302
    seat = Membership.objects.get(person__full_name="Lorna Hunt")
    assert (seat.role, seat.role_label, seat.since) == ("vice_chair", "VICE CHAIR", datetime.date(2026, 12, 1))
    assert seat.person.email == "lorna@pact.example" and seat.history.count() == 1
    page = client.get(people_url(board)).content.decode()
    assert "Joining later" in page and "Lorna Hunt" in page


def test_clashing_initials_are_a_form_error_with_a_free_suggestion_and_nothing_is_written(
    client, board, secretary, richard
):
    client.force_login(secretary)
    before = Person.objects.count()
    response = add(client, board, full_name="Rachel Morgan", initials="rm")
    assert response.status_code == 400
    page = response.content.decode()
    assert "rm already stands for Richard Morris" in page and "try “RMo”" in page
    assert Person.objects.count() == before and Membership.objects.filter(board=board).count() == 2
    # Initials made from the name are checked the same way.
    response = add(client, board, full_name="Ruth Mayes")
    assert response.status_code == 400 and "try “RMa”" in response.content.decode()
    assert add(client, board, full_name="Rachel Morgan", initials="RMo").status_code == 302


def test_a_past_members_initials_are_free_again_but_a_future_members_are_not(client, board, secretary, richard):
    Membership.objects.filter(person=richard).update(until=datetime.date(2025, 3, 31))
    future = Person.objects.create(full_name="Kevin Yong", initials="KY")
    Membership.objects.create(board=board, person=future, since=datetime.date(2027, 1, 1))
    client.force_login(secretary)
    assert add(client, board, full_name="Rita Mills", initials="RM").status_code == 302
    response = add(client, board, full_name="Karen Young", initials="KY")
    assert response.status_code == 400 and "KY already stands for Kevin Yong" in response.content.decode()
    # A seat that ends before Kevin's starts does not clash.
    assert add(client, board, full_name="Karen Young", initials="KY", until="2026-12-31").status_code == 302


def test_changing_a_persons_initials_to_a_current_members_is_refused(client, board, secretary, member, richard):
    client.force_login(secretary)
    mary = member.person
    url = reverse("meetings:person-edit", args=[board.slug, mary.pk])
    data = {
        "full_name": "Mary Member",
        "initials": "RM",
        "organisation": "",
        "job_title": "",
        "email": "",
        "version": 1,
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "try “MM”" not in response.content.decode()
    assert "RM already stands for Richard Morris" in response.content.decode()
    mary.refresh_from_db()
    assert (mary.initials, mary.version, mary.history.count()) == ("MM", 1, 1)
    data.update(initials="MMe", organisation="Bucks", job_title="Head of service")
    assert client.post(url, data).status_code == 302
    mary.refresh_from_db()
    assert (mary.initials, mary.organisation, mary.job_title, mary.history.count()) == (
        "MMe",
        "Bucks",
        "Head of service",
        2,
    )
    # Someone else saved since: refused.
    assert client.post(url, dict(data, organisation="Berks")).status_code == 409


def test_an_email_address_belongs_to_one_person(client, board, secretary, richard):
    richard.email = "richard@cafcass.example"
    richard.save()
    client.force_login(secretary)
    response = add(client, board, full_name="Rob Mann", initials="RMa", email="Richard@CAFCASS.example")
    assert response.status_code == 400 and "already has the address" in response.content.decode()
    assert not Person.objects.filter(full_name="Rob Mann").exists()


def test_a_changed_email_moves_the_login_with_it(client, board, secretary, richard):
    user = get_user_model().objects.create_user("richard@old.example", "richard@old.example")
    richard.user, richard.email = user, "richard@old.example"
    richard.save()
    client.force_login(secretary)
    url = reverse("meetings:person-edit", args=[board.slug, richard.pk])
    data = {
        "full_name": "Richard Morris",
        "initials": "RM",
        "organisation": "CAFCASS",
        "job_title": "",
        "email": "richard@new.example",
        "version": richard.version,
    }
    assert client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert (user.username, user.email) == ("richard@new.example", "richard@new.example")


def test_the_secretary_picks_someone_from_another_board_they_run(client, board, other_board, secretary):
    Membership.objects.create(board=other_board, person=secretary.person, role=Role.SECRETARY)
    olu = Person.objects.create(full_name="Olu Other", initials="OO2")
    Membership.objects.create(board=other_board, person=olu)
    stranger = Person.objects.create(full_name="Stan Stranger", initials="SSt")
    Membership.objects.create(board=other_board.__class__.objects.create(name="Third", slug="third"), person=stranger)
    client.force_login(secretary)
    assert add(client, board, person=olu.pk, role="adviser").status_code == 302
    assert Membership.objects.get(board=board, person=olu).role == "adviser"
    response = add(client, board, person=stranger.pk)
    assert response.status_code == 400 and not Membership.objects.filter(board=board, person=stranger).exists()


def test_a_seats_role_and_dates_are_edited(client, board, secretary, member):
    seat = Membership.objects.get(board=board, person=member.person)
    client.force_login(secretary)
    url = reverse("meetings:membership-edit", args=[board.slug, member.person.pk, seat.pk])
    prefix = f"seat-{seat.pk}-"
    data = {
        prefix + "role": "chair",
        prefix + "role_label": "CHAIR Milton Keynes",
        prefix + "since": "2026-01-01",
        prefix + "until": "",
        prefix + "version": 1,
    }
    assert client.post(url, data).status_code == 302
    seat.refresh_from_db()
    assert (seat.role, seat.role_label, seat.since, seat.version) == (
        "chair",
        "CHAIR Milton Keynes",
        datetime.date(2026, 1, 1),
        2,
    )
    bad = client.post(url, dict(data, **{prefix + "until": "2025-01-01", prefix + "version": 2}))
    assert bad.status_code == 400 and "A seat cannot end before it starts." in bad.content.decode()


def test_ending_a_membership_keeps_the_person_in_every_record(client, board, secretary, member, meeting):
    seat = Membership.objects.get(board=board, person=member.person)
    client.force_login(secretary)
    url = reverse("meetings:membership-end", args=[board.slug, member.person.pk, seat.pk])
    response = client.post(url, {f"end-{seat.pk}-on": "2026-11-29"})
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.until == datetime.date(2026, 11, 29)
    assert Attendance.objects.filter(meeting=meeting, person=member.person).exists()
    page = client.get(people_url(board))
    past = page.content.decode().split('data-testid="past-members"')[1]
    assert "Mary Member" in past
    # Mary no longer sees the board.
    client.force_login(member)
    assert client.get(reverse("meetings:board-detail", args=[board.slug])).status_code == 404
    # Ending it again is refused, with the reason.
    client.force_login(secretary)
    assert client.post(url, {f"end-{seat.pk}-on": "2026-11-30"}).status_code == 400


def test_the_last_editor_cannot_end_their_own_seat(client, board, secretary):
    seat = Membership.objects.get(board=board, person=secretary.person)
    client.force_login(secretary)
    url = reverse("meetings:membership-end", args=[board.slug, secretary.person.pk, seat.pk])
    response = client.post(url, {f"end-{seat.pk}-on": "2026-11-30"})
    assert response.status_code == 400 and "no chair, vice chair or secretary left" in response.content.decode()
    seat.refresh_from_db()
    assert seat.until is None


def test_a_guest_is_made_a_member_in_one_step(client, board, secretary, meeting):
    client.force_login(secretary)
    guest_url = reverse("meetings:meeting-guest-add", args=[board.slug, meeting.pk])
    assert (
        client.post(
            guest_url, {"full_name": "Janice Spencer", "organisation": "East Midlands RAB", "status": "present"}
        ).status_code
        == 302
    )
    janice = Person.objects.get(full_name="Janice Spencer")
    page = client.get(people_url(board)).content.decode()
    assert "Janice Spencer" in page.split('data-testid="guests"')[1]
    response = client.post(reverse("meetings:guest-make-member", args=[board.slug, janice.pk]))
    assert response.status_code == 302
    seat = Membership.objects.get(board=board, person=janice)
    assert (seat.role, seat.since) == ("member", TODAY)
    page = client.get(people_url(board)).content.decode()
    assert "Janice Spencer" in page.split('data-testid="members"')[1].split('data-testid="past-members"')[0]


def test_a_new_guest_whose_initials_are_a_members_is_refused(client, board, secretary, meeting, richard):
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:meeting-guest-add", args=[board.slug, meeting.pk]),
        {"full_name": "Rosa Martin", "status": "present"},
    )
    assert response.status_code == 400 and "try “RMa”" in response.content.decode()
    assert not Person.objects.filter(full_name="Rosa Martin").exists()


def test_members_see_the_people_page_without_the_controls(client, board, member, richard):
    client.force_login(member)
    page = client.get(people_url(board)).content.decode()
    assert "Richard Morris" in page and "Add a member" not in page and "Invite" not in page


@pytest.mark.parametrize("people", [3, 30])
def test_the_people_page_costs_the_same_queries_however_many_people(
    client, board, secretary, meeting, django_assert_num_queries, people
):
    for i in range(people):
        person = Person.objects.create(full_name=f"Person {i}", initials=f"P{i}", email=f"p{i}@example.org")
        Membership.objects.create(board=board, person=person, until=TODAY if i % 3 else datetime.date(2025, 1, 1))
        Attendance.objects.create(
            meeting=meeting, person=Person.objects.create(full_name=f"Guest {i}", initials=f"G{i}"), is_guest=True
        )
    make_person("other-sec", "Other Sec", "OS", board=board, role=Role.SECRETARY)
    client.force_login(secretary)
    # Eight: no session write (the session is saved once a minute, adoptboard.middleware); the
    # user's seats read once (meetings.models.current_seats) for the access check and the navigation.
    with django_assert_num_queries(8):
        assert client.get(people_url(board)).status_code == 200
