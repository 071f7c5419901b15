"""Inviting a board's person to log in: the message, the one-time link, and what a bad link does."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from meetings.models import Membership, Person, Role

pytestmark = pytest.mark.django_db
User = get_user_model()
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def kevin(board):
    person = Person.objects.create(
        full_name="Kevin Yong", initials="KY", organisation="Corum", email="Kevin@Corum.example"
    )
    Membership.objects.create(board=board, person=person, role=Role.MEMBER)
    return person


def invite(client, board, person):
    return client.post(reverse("accounts:person-invite", args=[board.slug, person.pk]))


def link_in(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def test_it_invites_a_person_and_gives_them_a_login_linked_to_them(client, board, secretary, kevin):
    client.force_login(secretary)
    response = invite(client, board, kevin)
    assert response.status_code == 302
    kevin.refresh_from_db()
    user = kevin.user
    assert user.username == "kevin@corum.example" and user.email == "Kevin@Corum.example"
    assert not user.has_usable_password()  # nobody can log in as Kevin before he chooses a password
    assert kevin.history.count() == 2  # created, then linked: one row for the change
    [message] = mail.outbox
    assert message.to == ["Kevin@Corum.example"]
    assert "Test ALB" in message.subject
    assert "Sally Secretary invites you" in message.body
    assert "log in at http://testserver/accounts/login/ as kevin@corum.example" in message.body
    assert link_in(message.body)


def test_the_link_sets_the_password_logs_in_and_then_is_spent(client, board, secretary, kevin):
    client.force_login(secretary)
    invite(client, board, kevin)
    link = link_in(mail.outbox[0].body)
    client.logout()

    page = client.get(link)
    assert page.status_code == 200 and "kevin@corum.example" in page.content.decode()
    response = client.post(link, {"new_password1": "a long board password", "new_password2": "a long board password"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("meetings:board-detail", args=[board.slug])).status_code == 200
    kevin.refresh_from_db()
    kevin.user.refresh_from_db()
    assert kevin.user.check_password("a long board password")

    # The same link again: refused with the reason, and the password stays.
    client.logout()
    for method in ("get", "post"):
        again = getattr(client, method)(
            link, {"new_password1": "another password 123", "new_password2": "another password 123"}
        )
        assert again.status_code == 400
        assert "has expired or has already been used" in again.content.decode()
    kevin.refresh_from_db()
    kevin.user.refresh_from_db()
    assert kevin.user.check_password("a long board password")
    # And the login works with the email address as username.
    assert (
        client.post(
            "/accounts/login/", {"username": "kevin@corum.example", "password": "a long board password"}
        ).status_code
        == 302
    )


def test_an_expired_link_is_refused_and_changes_nothing(client, board, secretary, kevin, settings):
    client.force_login(secretary)
    invite(client, board, kevin)
    link = link_in(mail.outbox[0].body)
    client.logout()
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        response = client.post(
            link, {"new_password1": "a long board password", "new_password2": "a long board password"}
        )
    assert response.status_code == 400
    assert "has expired or has already been used" in response.content.decode()
    kevin.refresh_from_db()
    kevin.user.refresh_from_db()
    assert not kevin.user.has_usable_password()
    assert "_auth_user_id" not in client.session


def test_a_weak_password_is_a_form_error_and_the_link_still_works(client, board, secretary, kevin):
    client.force_login(secretary)
    invite(client, board, kevin)
    link = link_in(mail.outbox[0].body)
    client.logout()
    response = client.post(link, {"new_password1": "kevin", "new_password2": "kevin"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    kevin.refresh_from_db()
    kevin.user.refresh_from_db()
    assert not kevin.user.has_usable_password()
    assert client.get(link).status_code == 200


def test_an_invitation_link_does_not_open_the_password_reset_page(client, board, secretary, kevin):
    client.force_login(secretary)
    invite(client, board, kevin)
    link = link_in(mail.outbox[0].body)
    client.logout()
    reset_link = link.replace("/accounts/invitation/", "/accounts/reset/")
    assert client.get(reset_link, follow=True).status_code == 400


def test_inviting_again_sends_a_fresh_link_but_a_login_with_a_password_is_refused(client, board, secretary, kevin):
    client.force_login(secretary)
    invite(client, board, kevin)
    invite(client, board, kevin)
    assert len(mail.outbox) == 2 and User.objects.filter(username="kevin@corum.example").count() == 1
    kevin.refresh_from_db()
    kevin.user.set_password("chosen already 42")
    kevin.user.save()
    response = invite(client, board, kevin)
    assert response.status_code == 302
    assert "already has a login" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 2


def test_a_person_without_email_cannot_be_invited(client, board, secretary, member):
    client.force_login(secretary)
    person = member.person
    response = invite(client, board, person)
    assert response.status_code == 302
    assert "email address first: the invitation goes there" in client.get(response["Location"]).content.decode()
    assert mail.outbox == []


def test_a_member_cannot_invite_anyone(client, board, member, kevin):
    client.force_login(member)
    assert invite(client, board, kevin).status_code == 403
    kevin.refresh_from_db()
    assert kevin.user is None and mail.outbox == []


def test_when_the_mail_server_refuses_no_login_is_left_behind(client, board, secretary, kevin, settings):
    # Nothing listens on port 9 of 127.0.0.1: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    client.force_login(secretary)
    response = invite(client, board, kevin)
    assert "The invitation could not be sent" in client.get(response["Location"]).content.decode()
    kevin.refresh_from_db()
    assert kevin.user is None and kevin.history.count() == 1
    assert not User.objects.filter(username="kevin@corum.example").exists()


def test_an_invitation_through_a_real_smtp_server_lets_the_person_log_in(client, board, secretary, kevin, smtp_server):
    client.force_login(secretary)
    assert invite(client, board, kevin).status_code == 302
    [message] = smtp_server.to("Kevin@Corum.example")
    assert message["Subject"] == "Your AdoptBoard login for Test ALB"
    assert message["From"] == "AdoptBoard <adoptboard@localhost>"
    link = link_in(smtp_server.body(message))

    client.logout()
    response = client.post(link, {"new_password1": "a long board password", "new_password2": "a long board password"})
    assert response.status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"username": "kevin@corum.example", "password": "a long board password"})
    assert response.status_code == 302
    assert "Test Region Adoption Leadership Board" in client.get("/").content.decode()
