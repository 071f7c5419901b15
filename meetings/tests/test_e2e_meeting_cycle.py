"""The secretary's meeting cycle in a real browser on the demo board, every page checked with axe.

The demo already holds the meetings of 17 April, 17 July and 16 October 2024 (seed 000 lists them as
upcoming). So "the meeting after 23 Feb 2024" is the existing 17 April meeting: scheduling another
one between February and April would make two "next" meetings and muddle which review follows which.
Scheduling itself is exercised on the board's last meeting ("schedule next meeting" after 16 October).
"""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action, Status
from adoptboard.tests.axe import assert_accessible
from meetings.models import Meeting


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_meeting_cycle_as_the_secretary(page, live_server, demo_board, screenshot):
    base = live_server.url
    page.set_default_timeout(10_000)
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    slug = demo_board.slug
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    july = Meeting.objects.get(board=demo_board, date="2024-07-17")
    october = Meeting.objects.get(board=demo_board, date="2024-10-16")

    # Log in.
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.fill("input[name=username]", "secretary")
    page.fill("input[name=password]", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert_accessible(page)

    # Schedule the next meeting after the board's last one: usual time, standing items, members invited.
    page.goto(f"{base}{october.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("link", name="Schedule next meeting").click()
    expect(page.get_by_label("Start time")).to_have_value("14:00")
    assert_accessible(page)
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.locator(".alert-success")).to_contain_text("Meeting scheduled for 15 January 2025")
    expect(page.get_by_role("heading", name=re.compile("Any other business"))).to_be_visible()
    assert_accessible(page)
    new = Meeting.objects.get(board=demo_board, date="2025-01-15")
    assert new.attendances.count() == 11 and new.items.count() == 5

    # The meeting after 23 Feb 2024: apologies and a deputy.
    page.goto(f"{base}{april.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("Attendance of Sandra Carnell").select_option("apologies")
    page.get_by_label("Attendance of Kevin Yong").select_option("apologies")
    page.get_by_label("Attendance of Carole Atkins").select_option("present")
    page.get_by_label("Carole Atkins attends for").select_option(label="Sandra Carnell (SC)")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".alert-success")).to_contain_text("Attendance saved")
    expect(page.get_by_label("Carole Atkins attends for")).to_have_value(
        str(april.attendances.get(person__initials="SC").person_id)
    )

    # Agenda builder: add an item, move it up, see the start times follow.
    page.get_by_role("link", name="Agenda builder").click()
    add = page.locator("form[action*='/agenda/items/']")
    add.get_by_label("Title").fill("Post order direct contact")
    add.get_by_label("Purpose").select_option("discussion")
    add.get_by_label("Or lead as free text").fill("Lorna Hunt")
    add.get_by_label("Time allowed (minutes)").fill("15")
    add.get_by_role("button", name="Add item").click()
    rows = page.locator("[data-testid=agenda] tbody tr")
    expect(rows.nth(3)).to_contain_text("Post order direct contact")
    expect(rows.nth(3)).to_contain_text("14:20")
    page.get_by_role("button", name="Move “Post order direct contact” up").click()
    expect(page.locator("#agenda-status")).to_contain_text("moved up")  # swapped in by htmx, no reload
    expect(rows.nth(2)).to_contain_text("Post order direct contact")
    expect(rows.nth(2)).to_contain_text("14:10")
    expect(rows.nth(3)).to_contain_text("Action log review")
    expect(rows.nth(3)).to_contain_text("14:25")
    assert_accessible(page)
    screenshot(page, "agenda-builder.png")

    # Minute the item and raise an action on it: it gets 77 at once.
    page.get_by_role("link", name="Meeting and minutes").click()
    item = april.items.live().get(title="Post order direct contact")
    card = page.locator(f"#item-{item.pk}")
    card.get_by_label("Discussion notes").fill(
        "LH set out the options for post order contact; the Board discussed them."
    )
    card.get_by_label("Decisions").fill("The Board agreed to take a paper in July.")
    card.get_by_role("button", name="Save minutes").click()
    # Saved in place (htmx), without reloading the page.
    expect(card.get_by_test_id("minutes-status")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    card.get_by_text("Raise an action").click()
    card.get_by_label("Action").fill("LH to bring a paper on post order contact to the July meeting.")
    card.get_by_label("Responsible", exact=True).select_option(label="Lorna Hunt (LH)")
    card.get_by_role("button", name="Raise action").click()
    expect(page.locator(".alert-success")).to_contain_text("Action 77 raised")
    expect(card.get_by_test_id("item-actions")).to_contain_text("Action 77")
    assert_accessible(page)
    screenshot(page, "meeting.png")

    # The review: 73 (open since October 2023) and 77 (raised here). Close 73, leave 77 open.
    page.get_by_role("link", name="Action-log review").click()
    review = page.get_by_test_id("review")
    expect(review.locator("tr[data-number]")).to_have_count(2)
    page.get_by_label("Status of action 73").select_option("closed")
    page.get_by_label("Update on action 73").fill("Closed: the project has reported.")
    page.get_by_label("Update on action 77").fill("Paper in hand for July.")
    assert_accessible(page)
    screenshot(page, "review.png")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator(".alert-success")).to_contain_text("2 updates recorded")
    assert Action.objects.get(board=demo_board, number=73).status == Status.CLOSED
    expect(review.locator("tr[data-number='73']")).to_be_visible()  # reviewed here, so still on this list

    # The following meeting's review: 73 is gone, 77 is still open there.
    page.goto(f"{base}/boards/{slug}/meetings/{july.pk}/review/")
    expect(page.locator("tr[data-number='77']")).to_be_visible()
    expect(page.locator("tr[data-number='73']")).to_have_count(0)
    assert_accessible(page)

    # The forward plan.
    page.get_by_role("link", name="Forward plan").click()
    expect(page.get_by_role("heading", name="Forward plan", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "forward-plan.png")

    # Approve April's minutes: the meeting locks and edits are refused.
    page.goto(f"{base}{april.get_absolute_url()}")
    page.get_by_role("link", name="Approve minutes…").click()
    expect(page.get_by_role("heading", name=re.compile("^Approve the minutes of"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "approve-confirm.png")
    page.get_by_role("button", name="Approve and lock the minutes").click()
    expect(page.locator(".alert-success")).to_contain_text("Minutes approved")
    expect(page.get_by_test_id("minutes-versions")).to_contain_text("Version 1")
    expect(page.get_by_test_id("meeting-status")).to_have_text("Minutes approved")
    screenshot(page, "meeting-approved.png")
    expect(page.get_by_role("button", name="Save attendance")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Save minutes"))).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{base}/boards/{slug}/meetings/{april.pk}/items/{item.pk}/edit/")
    expect(page.locator(".alert-danger")).to_contain_text("approved and locked")
    assert_accessible(page)
    assert csp_errors == []
