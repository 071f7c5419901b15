"""Two-factor login: turning it on, the code after the password, recovery codes, who must use it."""

import re
from binascii import unhexlify

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services_two_factor as two_factor
from meetings.models import Role

pytestmark = pytest.mark.django_db
LOGIN, CODE = "/accounts/login/", reverse("accounts:login-code")
SETUP, ACCOUNT = reverse("accounts:two-factor-setup"), reverse("accounts:account")


def code_for(secret: str) -> str:
    return f"{totp(unhexlify(secret)):06d}"


def turn_on(user) -> tuple[TOTPDevice, list[str]]:
    secret = two_factor.new_secret()
    device, codes = two_factor.two_factor_enable(user=user, secret=secret, code=code_for(secret))
    # As if the next 30-second step had come: the code that confirmed the app cannot log in.
    device.last_t -= 1
    device.save()
    return device, codes


def password_step(client, user, next_url=""):
    data = {"username": user.username, "password": "pw-" + user.username}
    return client.post(LOGIN + (f"?next={next_url}" if next_url else ""), data)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_turns_two_factor_on_from_the_account_page_and_shows_the_recovery_codes_once(client, member):
    client.force_login(member)
    page = client.get(ACCOUNT).content.decode()
    assert "Off: your password alone logs you in." in page and SETUP in page
    setup = client.get(SETUP)
    body = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in body and "QR code for your authenticator app" in body
    secret = client.session["two_factor_secret"]
    assert re.sub(r"\s", "", re.search(r'data-testid="secret">([A-Z2-7 ]+)<', body).group(1)) == (
        two_factor.secret_text(secret).replace(" ", "")
    )
    # A wrong code: said next to the field, nothing written.
    wrong = client.post(SETUP, {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and two_factor.CODE_WRONG in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=member).exists()
    response = client.post(SETUP, {"code": code_for(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two-factor-codes")
    shown = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", shown)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    # Shown once.
    again = client.get(reverse("accounts:two-factor-codes"))
    assert again.status_code == 302 and again["Location"] == ACCOUNT
    assert "10 recovery codes left" in client.get(ACCOUNT).content.decode()


def test_login_asks_for_the_code_after_the_password_and_refuses_a_wrong_one(client, member):
    device, _ = turn_on(member)
    response = password_step(client, member, "/my/actions/")
    assert response.status_code == 302 and response["Location"] == CODE
    assert not logged_in(client)
    # Not logged in until the code: every page still sends them to the login.
    assert client.get("/").status_code == 302
    wrong = client.post(CODE, {"code": "123456" if code_for(device.key) != "123456" else "654321"})
    assert wrong.status_code == 400 and two_factor.CODE_WRONG in wrong.content.decode()
    assert not logged_in(client)
    # django-otp's throttling: after a wrong code, even the right one waits a moment.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    right = client.post(CODE, {"code": code_for(device.key)})
    assert right.status_code == 302 and right["Location"] == "/my/actions/"
    assert logged_in(client) and client.get("/my/actions/").status_code == 200


def test_wrong_codes_in_a_row_are_throttled_then_send_back_to_the_password(client, member):
    device, _ = turn_on(member)
    password_step(client, member)
    client.post(CODE, {"code": "000001"})
    refused = client.post(CODE, {"code": code_for(device.key)})
    assert refused.status_code == 400 and two_factor.CODE_WAIT in refused.content.decode()
    for _ in range(3):
        client.post(CODE, {"code": "000001"})
    assert client.get(CODE).status_code == 400  # the pending login is gone: the password again
    assert not logged_in(client)


def test_a_user_without_two_factor_logs_in_with_the_password_alone(client, member):
    response = password_step(client, member)
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in(client)


def test_a_code_once_used_is_refused(client, member):
    device, _ = turn_on(member)
    code = code_for(device.key)
    password_step(client, member)
    assert client.post(CODE, {"code": code}).status_code == 302
    client.logout()
    password_step(client, member)
    reused = client.post(CODE, {"code": code})
    assert reused.status_code == 400 and not logged_in(client)


def test_a_recovery_code_works_once(client, member):
    _, codes = turn_on(member)
    password_step(client, member)
    response = client.post(CODE, {"code": codes[0].upper()})
    assert response.status_code == 302 and logged_in(client)
    assert "9 left" in client.get("/").content.decode()
    client.logout()
    password_step(client, member)
    again = client.post(CODE, {"code": codes[0]})
    assert again.status_code == 400 and not logged_in(client)
    assert StaticToken.objects.filter(device__user=member).count() == 9


def test_it_turns_two_factor_off_with_a_code(client, member):
    device, codes = turn_on(member)
    client.force_login(member)
    bad = client.post(reverse("accounts:two-factor-disable"), {"code": "zzzzzzzz"})
    assert bad.status_code == 400 and two_factor.CODE_WRONG in bad.content.decode()
    assert TOTPDevice.objects.filter(user=member).exists()
    StaticDevice.objects.filter(user=member).update(throttling_failure_count=0)  # no wait after the wrong one
    off = client.post(reverse("accounts:two-factor-disable"), {"code": codes[1]})
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists() and not StaticToken.objects.exists()


def test_a_board_that_requires_it_sends_its_officers_to_set_it_up_before_any_editor_page(
    client, board, secretary, member
):
    board.require_two_factor = True
    board.save()
    settings_url = reverse("meetings:board-settings", args=[board.slug])
    client.force_login(secretary)
    # Reading is allowed, with a word on what is missing; editing is not until it is set up.
    read = client.get(board.get_absolute_url())
    assert read.status_code == 200 and 'data-testid="two-factor-needed"' in read.content.decode()
    response = client.get(settings_url)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fboards%2F{board.slug}%2Fsettings%2F"
    page = client.get(response["Location"]).content.decode()
    assert "asks its chair, vice chair and secretary to use two-factor login" in page
    secret = client.session["two_factor_secret"]
    done = client.post(response["Location"], {"code": code_for(secret), "next": settings_url})
    assert client.get(done["Location"]).content.decode().count("<li>") >= 10
    assert client.get(settings_url).status_code == 200
    assert "two-factor-needed" not in client.get(board.get_absolute_url()).content.decode()
    # It cannot be turned off while the board requires it.
    refused = client.post(reverse("accounts:two-factor-disable"), {"code": "whatever"})
    assert refused.status_code == 400 and "It stays on while this holds" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=secretary).exists()
    # A member of the same board is not asked.
    client.force_login(member)
    assert client.get(board.get_absolute_url()).status_code == 200


def test_an_officer_with_an_app_but_a_session_without_a_code_is_asked_for_it(client, board, chair):
    board.require_two_factor = True
    board.save()
    device, _ = turn_on(chair)
    client.force_login(chair)  # e.g. a session opened before two-factor login was turned on
    settings_url = reverse("meetings:board-settings", args=[board.slug])
    response = client.get(settings_url)
    assert response.status_code == 302 and response["Location"].startswith(CODE + "?next=")
    assert client.post(response["Location"], {"code": code_for(device.key)})["Location"] == settings_url
    assert client.get(settings_url).status_code == 200


def test_staff_always_need_it_when_debug_is_off(client, settings, staff, board):
    settings.TWO_FACTOR_FOR_STAFF = True
    client.force_login(staff)
    for url in ("/", board.get_absolute_url(), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(SETUP + "?next="), url
    page = client.get(SETUP).content.decode()
    assert "Staff always use two-factor login." in page
    secret = client.session["two_factor_secret"]
    client.post(SETUP, {"code": code_for(secret)})
    assert client.get("/admin/").status_code == 200
    settings.TWO_FACTOR_FOR_STAFF = False
    client.logout()
    client.force_login(staff)
    assert client.get("/").status_code == 200


def test_the_admin_logs_in_through_the_apps_login(client, staff):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.VICE_CHAIR, Role.SECRETARY])
def test_required_because_names_the_board_for_each_officer(board, role):
    from conftest import make_person

    board.require_two_factor = True
    board.save()
    user = make_person("o", "Olive Officer", "OO", board=board, role=role)
    assert board.name in two_factor.required_because(user)


def test_an_officer_without_it_changes_nothing_on_a_board_that_requires_it(client, board, secretary):
    from actions.models import Action
    from actions.services import action_raise

    board.require_two_factor = True
    board.save()
    action = action_raise(board=board, text="Write to the DfE", whole_board=True)
    client.force_login(secretary)
    page = f"http://testserver{action.get_absolute_url()}"
    response = client.post(reverse("actions:action-remove", args=[board.slug, action.number]), HTTP_REFERER=page)
    # To the set-up, then back to the page the button was on (a post cannot be repeated by a redirect).
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fboards%2F{board.slug}%2Factions%2F{action.number}%2F"
    assert Action.objects.get(pk=action.pk).removed_at is None
