"""Two-factor login in a real browser: a board that requires it sends its secretary to set it up
before an editor page; she scans (here: reads) the key, confirms it with a code computed as her app
would, keeps her recovery codes, and from then on logs in with a code. Every page checked with axe."""

import re
from base64 import b32decode

import pytest
from django.db.models import F
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from adoptboard.tests.axe import assert_accessible


def app_code(secret_text: str) -> str:
    """What an authenticator app shows for the key it was given."""
    return f"{totp(b32decode(secret_text.replace(' ', ''))):06d}"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_secretary_is_sent_to_set_up_two_factor_login_and_then_logs_in_with_a_code(page, live_server, demo_board):
    base = live_server.url
    page.set_default_timeout(10_000)
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    demo_board.require_two_factor = True
    demo_board.save()
    settings_url = f"{base}/boards/{demo_board.slug}/settings/"

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email or username").fill("secretary")
    page.get_by_label("Password").fill("demo-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    # Reading the board is fine; its settings are an editor page.
    page.goto(f"{base}{demo_board.get_absolute_url()}")
    expect(page.get_by_test_id("two-factor-needed")).to_be_visible()
    page.goto(settings_url)
    expect(page.get_by_role("heading", name="Turn on two-factor login")).to_be_visible()
    expect(page.get_by_test_id("two-factor-required")).to_contain_text(
        "asks its chair, vice chair and secretary to use two-factor login. Set it up to carry on."
    )
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    assert_accessible(page)
    secret = page.get_by_test_id("secret").inner_text()
    page.get_by_label("The six-digit code your app shows").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor login").click()

    expect(page.get_by_role("heading", name=re.compile("your recovery codes"))).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: carry on").click()
    page.wait_for_url(settings_url)
    expect(page.get_by_role("heading", name=re.compile("settings", re.I)).first).to_be_visible()

    # Next time: the password, then the code.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    # As if the next 30 seconds had come (the confirming code may not log in again).
    TOTPDevice.objects.filter(user__username="secretary").update(last_t=F("last_t") - 1)
    page.goto(f"{base}/accounts/login/?next=/boards/{demo_board.slug}/settings/")
    page.get_by_label("Email or username").fill("secretary")
    page.get_by_label("Password").fill("demo-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor login")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill("000000" if app_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # django-otp makes the next try after a wrong code wait a second
    page.get_by_label("Code from your authenticator app").fill(app_code(secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(settings_url)

    # The account page says it is on, and that the board keeps it on.
    page.goto(f"{base}/account/")
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("10 recovery codes left")
    expect(page.locator("#two-factor")).to_contain_text("It stays on while this holds")
    assert_accessible(page)
    assert csp_errors == []
