"""Who gets what, with Django's locmem backend: agenda, minutes, actions, reminders, opt-outs,
people who left, link-only boards, and what the meeting page says was sent."""

import io
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks import task_backends

from meetings.models import AttendanceStatus, MeetingStatus
from notifications import tasks
from notifications.models import Delivery, DeliveryStatus, Kind, Preference

from .world import build_world

pytestmark = pytest.mark.django_db
SITE = "https://board.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def world():
    return build_world()


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def html(message):
    assert len(message.alternatives) == 1 and message.alternatives[0][1] == "text/html"
    return message.alternatives[0][0]


def test_the_agenda_goes_to_members_and_deputies_link_only(client, world, django_capture_on_commit_callbacks):
    login(client, "sec")
    url = reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("Sally Secretary", "Colin Chair", "Mary Member", "Quentin Quiet", "Debbie Deputy"):
        assert name in text
    listed = text.split('data-testid="recipients"')[1].split("</ul>")[0]
    for name in ("Gary Guest", "Fred Former", "Nora Noemail"):
        assert name not in listed
    assert "Test Region Adoption Leadership Board: agenda for the meeting on 3 December 2026" in text
    assert not mail.outbox  # the preview sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    got = sorted(m.to[0] for m in mail.outbox)
    assert got == sorted(
        ["sally@example.org", "colin@example.org", "mary@example.org", "quentin@example.org", "debbie@example.org"]
    )
    message = to("mary@example.org")[0]
    assert message.subject == "Test Region Adoption Leadership Board: agenda for the meeting on 3 December 2026"
    link = f"{SITE}/boards/test-alb/meetings/{world.meeting.pk}/"
    assert link in message.body and f'href="{link}"' in html(message)
    # and to the board pack: agenda, last minutes, open actions and papers in one PDF
    pack = f"{link}pack.pdf"
    assert f"The board pack (PDF: agenda, last minutes, open actions and papers): {pack}" in message.body
    assert f'href="{pack}"' in html(message)
    assert message.attachments == []  # link only: the board's default
    world.meeting.refresh_from_db()
    assert world.meeting.status == MeetingStatus.AGENDA_ISSUED
    assert Delivery.objects.filter(kind=Kind.AGENDA, status=DeliveryStatus.SENT).count() == 5

    # Sent again after a change: the updated agenda, marked as such.
    mail.outbox.clear()
    assert "updated agenda" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mail.outbox) == 5
    assert all("updated agenda" in m.subject for m in mail.outbox)
    assert "UPDATED agenda" in mail.outbox[0].body
    page = client.get(world.meeting.get_absolute_url()).content.decode()
    assert "Updated agenda sent to 5" in page


def test_a_board_allowing_attachments_attaches_the_agenda_pdf(client, django_capture_on_commit_callbacks):
    world = build_world(email_attachments=True)
    login(client, "sec")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk]))
    name, content, mimetype = to("mary@example.org")[0].attachments[0]
    assert (name, mimetype) == ("test-alb-agenda-2026-12-03.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_members_may_not_send_the_agenda(client, world):
    login(client, "mem")
    url = reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not Delivery.objects.exists() and not mail.outbox


def test_circulated_minutes_reach_current_members_and_actions_their_people(
    client, world, django_capture_on_commit_callbacks
):
    login(client, "sec")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:meeting-circulate", args=[world.board.slug, world.last.pk]))
    assert response.status_code == 302
    minutes = [m for m in mail.outbox if "draft minutes" in m.subject]
    assert sorted(m.to[0] for m in minutes) == sorted(
        ["sally@example.org", "colin@example.org", "mary@example.org", "quentin@example.org"]
    )
    assert not to("fred@example.org") and not to("debbie@example.org") and not to("gary@example.org")
    message = to("mary@example.org")[0]
    assert message.subject == "Test Region Adoption Leadership Board: draft minutes of the meeting on 3 November 2026"
    assert f"{SITE}/boards/test-alb/meetings/{world.last.pk}/" in message.body
    assert message.attachments == []
    # Actions raised or changed at the meeting, to each person named on them (not Fred: he left).
    actions = {m.to[0]: m for m in mail.outbox if "your actions" in m.subject}
    assert sorted(actions) == ["mary@example.org", "quentin@example.org"]
    assert "2. Chase the adopter survey" in actions["mary@example.org"].body
    assert "Book the room" not in actions["mary@example.org"].body
    assert f"{SITE}/boards/test-alb/actions/2/#update-h" in actions["mary@example.org"].body
    assert "3. Book the room" in actions["quentin@example.org"].body
    assert "Chase the adopter survey" not in actions["quentin@example.org"].body

    # Approval: the approved minutes go out; the actions were sent already.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:meeting-approve", args=[world.board.slug, world.last.pk]), {"confirm": "True"})
    assert (
        sorted(m.subject for m in mail.outbox)
        == ["Test Region Adoption Leadership Board: approved minutes of the meeting on 3 November 2026"] * 4
    )


def test_an_action_of_the_whole_board_goes_to_every_member(world, django_capture_on_commit_callbacks):
    from actions.models import Action
    from notifications.services import minutes_notify

    Action.objects.create(
        board=world.board,
        number=4,
        text="Read the annual report",
        whole_board=True,
        meeting=world.last,
        issued_on=world.last.date,
    )
    with django_capture_on_commit_callbacks(execute=True):
        minutes_notify(meeting=world.last, approved=False)
    actions = {m.to[0]: m.body for m in mail.outbox if "your actions" in m.subject}
    assert sorted(actions) == ["colin@example.org", "mary@example.org", "quentin@example.org", "sally@example.org"]
    assert all("4. Read the annual report" in body for body in actions.values())
    assert "2. Chase the adopter survey" in actions["mary@example.org"]
    assert "Chase the adopter survey" not in actions["sally@example.org"]


def test_minutes_text_only_where_the_board_allows_it(client, django_capture_on_commit_callbacks):
    world = build_world()
    world.last.items.create(title="Recruitment", notes="Numbers are up by a third.", decisions="Carry on.")
    login(client, "sec")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:meeting-circulate", args=[world.board.slug, world.last.pk]))
    assert "Numbers are up" not in to("mary@example.org")[0].body
    assert "Numbers are up" not in html(to("mary@example.org")[0])

    world.board.email_minutes_text = True
    world.board.email_attachments = True
    world.board.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:meeting-approve", args=[world.board.slug, world.last.pk]), {"confirm": "True"})
    message = to("mary@example.org")[0]
    assert "Numbers are up by a third." in message.body and "Decisions: Carry on." in message.body
    assert "Numbers are up by a third." in html(message)
    assert message.attachments[0][0] == "test-alb-minutes-2026-11-03.pdf"


def test_reminders_once_to_people_with_open_actions_who_want_them(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    reminders = [m for m in mail.outbox if "open action" in m.subject and "no update" not in m.subject]
    assert [m.to for m in reminders] == [["mary@example.org"]]
    message = reminders[0]
    assert (
        message.subject == "Test Region Adoption Leadership Board: 2 open actions before the meeting on 3 December 2026"
    )
    assert "1. Write the recruitment plan" in message.body and "2. Chase the adopter survey" in message.body
    assert f"{SITE}/boards/test-alb/actions/1/#update-h" in message.body
    assert f'href="{SITE}/boards/test-alb/actions/1/#update-h"' in html(message)
    # The secretary's digest: action 1 had no update since 3 November; action 2 had one at it.
    digest = [m for m in mail.outbox if "no update" in m.subject]
    assert [m.to for m in digest] == [["sally@example.org"]]
    assert "1. Write the recruitment plan" in digest[0].body and "Chase the adopter survey" not in digest[0].body
    assert not to("fred@example.org")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    assert mail.outbox == []
    assert Delivery.objects.filter(kind=Kind.REMINDER).count() == 1


def test_reminders_can_be_turned_off_on_the_account_page(client, world, django_capture_on_commit_callbacks):
    login(client, "mem")
    page = client.get(reverse("accounts:account")).content.decode()
    assert 'name="reminders" value="on" id="id_reminders" checked' in page
    assert client.post(reverse("notifications:reminders-choice"), {}).status_code == 302
    assert Preference.objects.get(person=world.member).reminders is False
    assert "checked" not in client.get(reverse("accounts:account")).content.decode().split("id_reminders")[1][:20]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    assert not to("mary@example.org")
    # Formal circulation cannot be turned off.
    login(client, "sec")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:meeting-circulate", args=[world.board.slug, world.last.pk]))
    assert any("draft minutes" in m.subject for m in to("mary@example.org"))
    # Turned back on.
    login(client, "mem")
    client.post(reverse("notifications:reminders-choice"), {"reminders": "on"})
    assert Preference.objects.get(person=world.member).reminders is True


def test_no_reminders_outside_the_window(world, django_capture_on_commit_callbacks):
    world.board.reminder_days = 2
    world.board.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
    assert mail.outbox == []


def test_someone_who_left_gets_nothing_even_when_invited(world, django_capture_on_commit_callbacks):
    assert world.meeting.attendances.filter(person=world.former, status=AttendanceStatus.INVITED).exists()
    from notifications.services import agenda_send, minutes_notify

    with django_capture_on_commit_callbacks(execute=True):
        agenda_send(meeting=world.meeting, by=world.secretary.user)
        minutes_notify(meeting=world.last, approved=True)
    assert mail.outbox and not to("fred@example.org") and not to("gary@example.org")
    assert not Delivery.objects.filter(person__in=[world.former, world.guest, world.noemail]).exists()


class RefusingBackend:
    """An SMTP server's answers, without a server: refuse one address for good, or fail for now."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for m in messages:
            if m.to == ["mary@example.org"]:
                raise smtplib.SMTPRecipientsRefused({"mary@example.org": (550, b"5.1.1 No such mailbox")})
            if m.to == ["colin@example.org"]:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return len(messages)


@override_settings(EMAIL_BACKEND="notifications.tests.test_rules.RefusingBackend")
def test_a_refused_address_fails_once_and_is_shown_a_dropped_connection_fails_after_retries(
    client, world, django_capture_on_commit_callbacks
):
    login(client, "sec")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk]))
    refused = Delivery.objects.get(person=world.member)
    assert refused.status == DeliveryStatus.FAILED and refused.attempts == 1
    assert refused.error == "address refused (550 5.1.1 No such mailbox)"
    # The immediate backend cannot wait: a transient failure fails at once there.
    assert Delivery.objects.get(person=world.chair).status == DeliveryStatus.FAILED
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3
    page = client.get(world.meeting.get_absolute_url()).content.decode()
    assert "Agenda sent to 5, 2 failed: Mary Member &lt;mary@example.org&gt; address refused (550" in page


@override_settings(
    EMAIL_BACKEND="notifications.tests.test_rules.RefusingBackend",
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
)
def test_a_transient_failure_is_retried_later_with_back_off(world, django_capture_on_commit_callbacks):
    delivery = Delivery.objects.create(
        kind=Kind.AGENDA, meeting=world.meeting, person=world.chair, address="colin@example.org"
    )
    backend = task_backends["default"]
    attempts = len(tasks.backoff()) + 1
    assert attempts == 5
    for attempt in range(1, attempts + 1):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = tasks.deliver.call(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and "SMTPServerDisconnected" in delivery.error
        if attempt < attempts:
            assert outcome == "retrying" and delivery.status == DeliveryStatus.QUEUED
            retry = backend.results[-1]
            assert retry.args == [delivery.pk] or retry.args == (delivery.pk,)
            assert retry.task.run_after is not None
        else:
            assert outcome == "failed" and delivery.status == DeliveryStatus.FAILED
    assert len(backend.results) == attempts - 1
    # Delays grow: 1, 5, 30 minutes, 2 hours.
    waits = [r.task.run_after for r in backend.results]
    assert waits == sorted(waits)


def test_a_sent_delivery_is_not_sent_again(world, django_capture_on_commit_callbacks):
    delivery = Delivery.objects.create(
        kind=Kind.AGENDA, meeting=world.meeting, person=world.member, address="mary@example.org"
    )
    assert tasks.deliver.call(delivery.pk) == "sent"
    assert tasks.deliver.call(delivery.pk) == "nothing to do"
    assert len(mail.outbox) == 1


def test_the_agenda_preview_costs_the_same_queries_for_five_recipients_or_twenty_five(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.models import Attendance

    from .world import person

    login(client, "sec")
    url = reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(20):  # members invited to the meeting, as scheduling invites them
        extra = person(f"Extra Member {n}", f"X{n}", f"extra{n}@example.org", board=world.board)
        Attendance.objects.create(meeting=world.meeting, person=extra)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("Extra Member") == 20
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
