"""In a real browser: "Action:" lines typed into the minutes are offered, confirmed and raised once;
decisions and declarations reach their registers. Every page visited is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action
from adoptboard.tests.axe import assert_accessible
from meetings.models import Meeting

SEED_LINES = (
    "Action: MH said if DCSs are asked then our position is we are conflicted/mixed in respect of our views on "
    "changes to the rule the 3-year rule. Colleagues agreed.\n"
    "Action: Group to build into their own performance monitoring/reflections that one or two per RAA/2-3% "
    "feels the right proportion of disruptions."
)


def log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "secretary")
    page.fill("input[name=password]", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_action_lines_typed_into_the_minutes_are_confirmed_and_raised_once(page, live_server, demo_board, screenshot):
    base = live_server.url
    page.set_default_timeout(10_000)
    feb = Meeting.objects.get(board=demo_board, date="2024-02-23")
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    log_in(page, base)

    # The demo's February minutes hold the two lines, raised long ago as 75 and 76: nothing to confirm.
    page.goto(f"{base}{feb.get_absolute_url()}")
    expect(page.get_by_text("Action: Group to build into their own performance")).to_be_visible()
    expect(page.get_by_test_id("item-action-lines")).to_have_count(0)
    page.goto(f"{base}/boards/{demo_board.slug}/meetings/{feb.pk}/action-lines/")
    expect(page.get_by_test_id("no-lines")).to_be_visible()
    assert_accessible(page)

    # Typed into April's minutes, they are offered as two actions: MH, and the whole board.
    page.goto(f"{base}{april.get_absolute_url()}")
    item = april.items.live().get(position=1)
    card = page.locator(f"#item-{item.pk}")
    card.get_by_label("Discussion notes").fill("Apologies were noted.\n" + SEED_LINES)
    card.get_by_role("button", name="Save minutes").click()
    # Saved in place (htmx): the item's status says so and its "Action:" panel follows the new text.
    expect(card.get_by_test_id("minutes-status")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    expect(card.get_by_test_id("item-action-lines")).to_contain_text("2 lines of these minutes read as actions")
    assert_accessible(page)
    card.get_by_role("link", name=re.compile("confirm them")).click()

    lines = page.get_by_test_id("action-line")
    expect(lines).to_have_count(2)
    first, second = lines.nth(0), lines.nth(1)
    expect(first.get_by_label("Responsible")).to_have_values(
        [str(feb.attendances.get(person__initials="MH").person_id)]
    )
    expect(first.get_by_label("The whole board (all)")).not_to_be_checked()
    expect(second.get_by_label("The whole board (all)")).to_be_checked()
    assert_accessible(page)
    screenshot(page, "action-lines.png")

    # Edit the first before raising it; it becomes the board's next number.
    first.get_by_label("Action").fill("MH to say, if DCSs ask, that the region's views on the 3-year rule are mixed.")
    first.get_by_role("button", name=re.compile("Raise as action 77")).click()
    expect(page.locator(".alert-success")).to_contain_text("Action 77 raised")
    expect(page.locator(".alert-success")).to_contain_text("(MH)")
    expect(lines).to_have_count(1)
    lines.nth(0).get_by_role("button", name=re.compile("Raise as action 78")).click()
    expect(page.locator(".alert-success")).to_contain_text("Action 78 raised")
    expect(page.locator(".alert-success")).to_contain_text("(all)")
    expect(page.get_by_test_id("no-lines")).to_be_visible()

    # Back on the minutes: both raised on the item, and nothing left to confirm.
    page.goto(f"{base}{april.get_absolute_url()}")
    expect(card.get_by_test_id("item-actions")).to_contain_text("Action 77")
    expect(card.get_by_test_id("item-actions")).to_contain_text("Action 78")
    expect(card.get_by_test_id("item-action-lines")).to_have_count(0)

    # Saving the minutes again offers nothing twice.
    card.get_by_label("Discussion notes").fill(
        "Apologies were noted.\n" + SEED_LINES + "\nKY to circulate the data pack"
    )
    card.get_by_role("button", name="Save minutes").click()
    expect(card.get_by_test_id("item-action-lines")).to_contain_text("1 line of these minutes reads as an action")
    card.get_by_role("link", name=re.compile("confirm it")).click()
    page.get_by_role("button", name=re.compile("Drop")).click()
    expect(page.locator(".alert-success")).to_contain_text("Line dropped")
    expect(page.get_by_test_id("no-lines")).to_be_visible()

    raised = Action.objects.filter(board=demo_board, agenda_item=item).order_by("number")
    assert [(a.number, a.responsible_label()) for a in raised] == [(77, "MH"), (78, "all")]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_decisions_and_declarations_reach_their_registers(page, live_server, demo_board, screenshot):
    base = live_server.url
    page.set_default_timeout(10_000)
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    log_in(page, base)

    # Attendance first: declarations are made by those present.
    page.goto(f"{base}{april.get_absolute_url()}")
    page.get_by_label("Attendance of Lorna Hunt").select_option("present")
    page.get_by_label("Attendance of Dr Mac Heath").select_option("present")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".alert-success")).to_contain_text("Attendance saved")

    item = april.items.live().get(title="Action log review")
    card = page.locator(f"#item-{item.pk}")
    card.get_by_label("Decisions").fill(
        "The Board agreed to close action 73.\nThe Board agreed to review kinship in July."
    )
    card.get_by_role("button", name="Save minutes").click()
    expect(page.locator(".alert-success")).to_contain_text("saved")

    page.get_by_role("link", name="Declarations", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Declared by").select_option(label="Lorna Hunt (LH)")
    page.get_by_label("On item").select_option(label=f"{item.position}. Action log review")
    page.get_by_label("Interest declared").fill("PACT is named on action 73")
    page.get_by_role("button", name="Record declaration").click()
    expect(page.locator(".alert-success")).to_contain_text("Interest declared by Lorna Hunt recorded")
    page.get_by_role("button", name="None declared by everyone else present").click()
    expect(page.get_by_test_id("declarations")).to_contain_text("Dr Mac Heath (MH) None declared")
    assert_accessible(page)

    page.goto(f"{base}/boards/{demo_board.slug}/decisions/")
    expect(page.get_by_test_id("decisions")).to_contain_text("The Board agreed to close action 73.")
    expect(page.get_by_test_id("decisions")).to_contain_text("The Board agreed to review kinship in July.")
    page.get_by_label("Search").fill("kinship")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("decisions").locator("tbody tr")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "decisions-register.png")

    page.goto(f"{base}/boards/{demo_board.slug}/interests/")
    expect(page.get_by_test_id("interests")).to_contain_text("PACT is named on action 73")
    expect(page.get_by_test_id("interests")).to_contain_text("None declared")
    assert_accessible(page)
    screenshot(page, "interests-register.png")
