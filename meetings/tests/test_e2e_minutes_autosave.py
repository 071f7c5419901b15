"""Nothing typed is lost, in a real browser: minutes save as the secretary types, one item's save
keeps the others' text, and a second editor on the same item sees the conflict with their own text kept."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_it_keeps_text_typed_into_two_items_when_one_is_saved(page, live_server, demo_board):
    base = live_server.url
    page.set_default_timeout(10_000)
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    first, second = april.items.live().order_by("position")[:2]
    log_in(page, base, "secretary")
    page.goto(f"{base}{april.get_absolute_url()}")
    one, two = page.locator(f"#item-{first.pk}"), page.locator(f"#item-{second.pk}")
    one.get_by_label("Discussion notes").fill("Apologies from SC; CA attends for her.")
    two.get_by_label("Discussion notes").fill("The minutes of February were agreed.")
    two.get_by_role("button", name=re.compile("^Save minutes")).click()
    expect(two.get_by_test_id("minutes-status")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    # Item 1 was not saved by hand: the autosave (1.5 s after the last key) keeps it.
    expect(one.get_by_test_id("minutes-status")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    page.reload()
    expect(one.get_by_label("Discussion notes")).to_have_value("Apologies from SC; CA attends for her.")
    expect(two.get_by_label("Discussion notes")).to_have_value("The minutes of February were agreed.")
    first.refresh_from_db(), second.refresh_from_db()
    assert first.notes.startswith("Apologies") and second.notes.startswith("The minutes")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_it_warns_before_leaving_with_unsaved_minutes(page, live_server, demo_board):
    base = live_server.url
    page.set_default_timeout(10_000)
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    item = april.items.live().order_by("position").first()
    log_in(page, base, "secretary")
    page.goto(f"{base}{april.get_absolute_url()}")
    page.locator(f"#item-{item.pk}").get_by_label("Discussion notes").press_sequentially("Not saved yet")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    # Leaving at once, before the autosave: the browser asks first, and staying keeps the text.
    page.evaluate("document.querySelector('a.navbar-brand, nav a').click()")
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(page.locator(f"#item-{item.pk}").get_by_label("Discussion notes")).to_have_value("Not saved yet")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_second_browser_on_the_same_item_sees_the_conflict_and_keeps_its_text(browser, live_server, demo_board):
    base = live_server.url
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    item = april.items.live().order_by("position")[1]
    pages = []
    for username in ("secretary", "chair"):
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, base, username)
        page.goto(f"{base}{april.get_absolute_url()}")
        pages.append(page)
    secretary, chair = (p.locator(f"#item-{item.pk}") for p in pages)
    secretary.get_by_label("Discussion notes").fill("The secretary's version.")
    expect(secretary.get_by_test_id("minutes-status")).to_contain_text("Saved")
    chair.get_by_label("Discussion notes").fill("The chair's version.")
    conflict = chair.get_by_test_id("minutes-conflict")
    expect(conflict).to_contain_text("someone else saved the minutes of this item")
    expect(conflict.get_by_test_id("their-notes")).to_have_text("The secretary's version.")
    expect(chair.get_by_label("Discussion notes")).to_have_value("The chair's version.")
    item.refresh_from_db()
    assert item.notes == "The secretary's version."
    # The chair, having read theirs, keeps their own text.
    chair.get_by_role("button", name=re.compile("Replace their text with mine")).click()
    expect(chair.get_by_test_id("minutes-status")).to_contain_text("Saved")
    item.refresh_from_db()
    assert item.notes == "The chair's version."
    for page in pages:
        page.context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_form_error_is_shown_next_to_its_field_and_a_reload_finds_the_page(page, live_server, demo_board):
    base = live_server.url
    page.set_default_timeout(10_000)
    april = Meeting.objects.get(board=demo_board, date="2024-04-17")
    last = april.items.live().order_by("position").last()
    log_in(page, base, "secretary")
    page.goto(f"{base}{april.get_absolute_url()}")
    card = page.locator(f"#item-{last.pk}")
    card.get_by_text("Raise an action").click()
    card.get_by_label("Action").fill("   ")  # passes the browser's check, not the server's
    card.get_by_role("button", name=re.compile("^Raise action")).click()
    field = page.locator(f"#item-{last.pk}").get_by_label("Action")
    expect(page.locator(f"#item-{last.pk} .invalid-feedback")).to_contain_text("required")
    expect(field).to_be_in_viewport()
    assert field.evaluate("e => e === document.activeElement")
    # Opening the address the form was sent to (Enter in the address bar): the meeting page, not a 405.
    page.goto(page.url.split("#")[0])
    expect(page).to_have_url(re.compile(rf"{april.get_absolute_url()}#item-{last.pk}$"))
    expect(page.get_by_role("heading", name="Agenda and minutes")).to_be_visible()
