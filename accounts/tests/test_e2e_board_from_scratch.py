"""A board started from nothing in a real browser, no admin and no fixture: staff create the board and
invite its secretary; the secretary sets the board up, adds and invites three members (the messages
are read from a real SMTP server), schedules the first meeting, makes a guest a member and ends a
membership; a member sets their password from the link and logs in. Every page is checked with axe."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from adoptboard.tests.axe import assert_accessible
from meetings.models import Board, Membership

LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/\S+/)")


def invitation_link(smtp_server, address: str) -> str:
    [message] = smtp_server.to(address)
    return LINK.search(smtp_server.body(message)).group(1)


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def accept(page, base, link, password):
    page.goto(base + link)
    assert_accessible(page)
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("The same password again").fill(password)
    page.get_by_role("button", name="Set password and log in").click()
    expect(page.locator(".alert-success")).to_contain_text("your password is set and you are logged in")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_board_is_started_from_nothing_in_the_app(page, live_server, smtp_server, screenshot):
    base = live_server.url
    page.set_default_timeout(10_000)
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    get_user_model().objects.create_superuser("staff", "staff@example.org", "staff-pass-2026")
    today = timezone.localdate()

    # Staff create the board and its secretary, and invite her.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email or username").fill("staff")
    page.get_by_label("Password").fill("staff-pass-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/account/")
    assert_accessible(page)
    page.get_by_role("link", name="Create a board").click()
    page.get_by_label(re.compile(r"^\s*Name\b")).fill("South East Region Adoption Leadership Board")
    page.get_by_label("Short name").fill("SE ALB")
    assert_accessible(page)
    page.get_by_role("button", name="Create board").click()
    expect(page.locator(".alert-success")).to_contain_text("created")
    board = Board.objects.get()
    add = page.locator("form[action*='/people/add/']")
    add.get_by_label("Or a new person: full name").fill("Rebecca Eligon")
    add.get_by_label("Initials").fill("RE")
    add.get_by_label("Organisation").fill("SESLIP")
    add.get_by_label("Email").fill("rebecca@seslip.example")
    add.get_by_label(re.compile(r"^\s*Role\*?\s*$")).select_option("secretary")
    add.get_by_role("button", name="Add member").click()
    expect(page.locator(".alert-success")).to_contain_text("Rebecca Eligon (RE) added as Secretary (support)")
    page.get_by_role("button", name="Invite to log in Rebecca Eligon").click()
    expect(page.locator(".alert-success")).to_contain_text("Invitation sent to rebecca@seslip.example")
    log_out(page)

    # The secretary chooses her password from the link and is in.
    accept(page, base, invitation_link(smtp_server, "rebecca@seslip.example"), "rebecca's board password")
    page.get_by_role("link", name="South East Region Adoption Leadership Board").first.click()

    # Board settings: the usual place, a standing item of the board's own, its paper numbering.
    page.get_by_role("link", name="Board settings").click()
    page.get_by_label("Usual place").fill("Reading Town Hall")
    page.get_by_label("Standing item 6: title").fill("Adopter voice")
    page.get_by_label("Standing item 6: minutes").fill("15")
    page.get_by_label("Standing item 6: place").fill("3")
    page.get_by_label("Next action number").fill("79")
    assert_accessible(page)
    screenshot(page, "board-settings.png")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".alert-success")).to_contain_text("Board settings saved")
    page.get_by_label("Next action number").fill("12")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The next action number can only go up: it is 79 now")).to_be_visible()

    # Three members, invited by email; initials that clash are refused with a suggestion.
    page.goto(f"{base}/boards/{board.slug}/people/")
    members = [
        ("Dr Mac Heath", "MH", "Milton Keynes", "mac.heath@mk.example", "chair"),
        ("Kevin Yong", "KY", "Corum", "kevin.yong@corum.example", "member"),
        ("Richard Morris", "RM", "CAFCASS", "richard.morris@cafcass.example", "member"),
    ]
    for name, initials, organisation, email, role in members:
        if name == "Richard Morris":  # on the board since before it came to the app
            page.locator("form[action*='/people/add/']").get_by_label("Member since").fill("2024-05-01")
        add = page.locator("form[action*='/people/add/']")
        add.get_by_label("Or a new person: full name").fill(name)
        add.get_by_label("Initials").fill(initials)
        add.get_by_label("Organisation").fill(organisation)
        add.get_by_label("Email").fill(email)
        add.get_by_label(re.compile(r"^\s*Role\*?\s*$")).select_option(role)
        add.get_by_role("button", name="Add member").click()
        expect(page.locator(".alert-success")).to_contain_text(f"{name} ({initials}) added")
    add = page.locator("form[action*='/people/add/']")
    add.get_by_label("Or a new person: full name").fill("Rachel Morgan")
    add.get_by_label("Initials").fill("RM")
    add.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("RM already stands for Richard Morris")).to_be_visible()
    expect(page.get_by_text("try “RMo”")).to_be_visible()
    assert_accessible(page)
    for name, *_ in members:
        page.get_by_role("button", name=f"Invite to log in {name}").click()
        expect(page.locator(".alert-success")).to_contain_text("Invitation sent")
    for *_, email, _ in members:
        assert invitation_link(smtp_server, email)

    # The first meeting: the board's standing items, the next number on the raise form, a guest.
    page.get_by_role("link", name="SE ALB").first.click()
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_label("Place")).to_have_value("Reading Town Hall")
    page.get_by_label("Date").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_role("heading", name=re.compile("Adopter voice"))).to_be_visible()
    expect(page.get_by_text("This will be action 79.").first).to_be_attached()
    page.get_by_text("Add a guest").click()
    guest = page.locator("form[action*='/guests/']")
    guest.get_by_label("Or a new guest: full name").fill("Janice Spencer")
    guest.get_by_label("Organisation").fill("East Midlands RAB")
    guest.get_by_role("button", name="Add guest").click()
    expect(page.locator(".alert-success")).to_contain_text("Janice Spencer added as a guest")

    # The guest becomes a member in one step; Richard's seat ended yesterday.
    page.goto(f"{base}/boards/{board.slug}/people/")
    page.get_by_role("button", name="Make member Janice Spencer").click()
    expect(page.locator(".alert-success")).to_contain_text("Janice Spencer is now a member")
    page.get_by_test_id("members").get_by_role("link", name="Richard Morris").click()
    assert_accessible(page)
    page.get_by_label("Last day of Richard Morris on the board").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="End membership").click()
    expect(page.locator(".alert-success")).to_contain_text("They stay in every record they appear in")
    expect(page.get_by_test_id("past-members")).to_contain_text("Richard Morris")
    expect(page.get_by_test_id("members")).to_contain_text("Janice Spencer")
    expect(page.get_by_test_id("members")).not_to_contain_text("Richard Morris")
    assert_accessible(page)
    screenshot(page, "people.png")
    assert Membership.objects.get(board=board, person__initials="JS").since == today
    log_out(page)

    # Kevin sets his password from his link and sees the board on his account page.
    accept(page, base, invitation_link(smtp_server, "kevin.yong@corum.example"), "kevin's own password 1")
    page.get_by_role("link", name=re.compile(r"Kevin Yong\s*: your account")).click()
    expect(page.get_by_test_id("my-boards")).to_contain_text("South East Region Adoption Leadership Board")
    assert_accessible(page)
    screenshot(page, "account.png")
    log_out(page)
    page.get_by_label("Email or username").fill("kevin.yong@corum.example")
    page.get_by_label("Password").fill("kevin's own password 1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text("South East Region Adoption Leadership Board").first).to_be_visible()
    # Richard's link still works (his login was made when he was invited) but his seat has ended.
    accept(page, base, invitation_link(smtp_server, "richard.morris@cafcass.example"), "richard's password 22")
    expect(page.get_by_text("South East Region Adoption Leadership Board")).to_have_count(0)
    assert csp_errors == []
