"""A forgotten password, the account page and changing one's password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db
RESET = reverse("accounts:password-reset")


@pytest.fixture
def mary(member):
    member.email = "mary@test.example"
    member.save()
    return member


def test_a_reset_answers_the_same_whether_or_not_the_address_exists(client, mary):
    known = client.post(RESET, {"email": "MARY@test.example"})
    unknown = client.post(RESET, {"email": "nobody@test.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mary@test.example"]
    page = client.get(known["Location"]).content.decode()
    assert "If that address belongs to a login" in page


def test_the_reset_link_sets_a_new_password_once(client, mary):
    client.post(RESET, {"email": "mary@test.example"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": "new board password 7", "new_password2": "new board password 7"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password-reset-complete")
    assert client.post("/accounts/login/", {"username": "mem", "password": "new board password 7"}).status_code == 302
    client.logout()
    again = client.get(link, follow=True)
    assert again.status_code == 400 and "has expired or has already been used" in again.content.decode()


def test_the_login_page_offers_a_reset(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert reverse("accounts:password-reset") in page and "Email or username" in page


def test_the_account_page_lists_the_boards_a_user_sits_on_now(client, member, board, other_board):
    from meetings.models import Membership, Role

    Membership.objects.create(board=other_board, person=member.person, role=Role.OBSERVER, until="2020-01-01")
    client.force_login(member)
    page = client.get(reverse("accounts:account")).content.decode()
    assert board.name in page and "Member" in page
    assert other_board.name not in page  # that seat ended


def test_a_user_changes_their_password(client, member):
    client.force_login(member)
    url = reverse("accounts:password-change")
    bad = client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 400
    ok = client.post(
        url, {"old_password": "pw-mem", "new_password1": "a better password 9", "new_password2": "a better password 9"}
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("accounts:account")
    member.refresh_from_db()
    assert member.check_password("a better password 9")
