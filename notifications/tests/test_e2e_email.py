"""In a real browser: the secretary previews and sends the agenda and sees what went out; a member
turns reminders off on their account page. Mail goes to Django's locmem outbox (the live server
runs in this process, tasks with the immediate backend after each request's commit)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from adoptboard.tests.axe import assert_accessible
from meetings.models import MeetingStatus
from notifications.models import Preference

from .world import build_world


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_secretary_sends_the_agenda_and_a_member_turns_reminders_off(page, live_server, settings):
    from django.utils import timezone

    settings.SITE_URL = live_server.url
    world = build_world(today=timezone.localdate())
    base = live_server.url
    page.set_default_timeout(10_000)

    log_in(page, base, "sec")
    page.goto(base + world.meeting.get_absolute_url())
    expect(page.get_by_test_id("email-panel")).to_contain_text("Nothing has been sent by email for this meeting yet.")
    page.get_by_role("link", name="Send the agenda").click()
    expect(page.get_by_test_id("recipients")).to_contain_text("Debbie Deputy")
    expect(page.get_by_test_id("preview-subject")).to_contain_text("Test Region Adoption Leadership Board: agenda")
    assert_accessible(page)
    page.get_by_role("button", name="Send the agenda").click()
    expect(page.locator(".alert-success")).to_contain_text("Agenda sent to 5 people.")
    expect(page.get_by_test_id("meeting-status")).to_have_text("Agenda issued")
    expect(page.get_by_test_id("delivery-summary")).to_contain_text("Agenda sent to 5")
    assert_accessible(page)
    assert len(mail.outbox) == 5
    world.meeting.refresh_from_db()
    assert world.meeting.status == MeetingStatus.AGENDA_ISSUED
    # A link in the message opens the meeting's page.
    link = re.search(r"http://\S+/meetings/\d+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_test_id("meeting-status")).to_have_text("Agenda issued")

    page.context.clear_cookies()
    log_in(page, base, "mem")
    page.goto(f"{base}/account/")
    box = page.get_by_label("Email me my open actions before each meeting")
    expect(box).to_be_checked()
    assert_accessible(page)
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Action reminders turned off.")
    expect(page.get_by_label("Email me my open actions before each meeting")).not_to_be_checked()
    assert Preference.objects.get(person=world.member).reminders is False
