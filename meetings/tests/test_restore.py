"""Removed agenda items and actions come back from the board's history page, under their own numbers."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from actions.services import action_raise
from meetings.models import AgendaItem, Meeting
from meetings.services import minutes_approve

SLUG = "south-east-alb"
HISTORY = reverse("meetings:board-history", args=[SLUG])


def restore_url(kind, pk):
    return reverse("meetings:object-restore", args=[SLUG, kind, pk])


@pytest.fixture
def secretary(demo_board):
    return get_user_model().objects.get(username="secretary")


@pytest.fixture
def april(demo_board):
    return Meeting.objects.get(board=demo_board, date="2024-04-17")


def test_it_restores_a_removed_action_under_its_own_number(client, demo_board, secretary):
    client.force_login(secretary)
    action = Action.objects.get(board=demo_board, number=74)
    next_number = demo_board.next_action_number
    assert client.post(reverse("actions:action-remove", args=[SLUG, 74])).status_code == 302
    assert client.get(action.get_absolute_url()).status_code == 404
    # A new action does not take the removed one's number.
    raised = action_raise(board=demo_board, text="A new action", whole_board=True)
    assert raised.number == next_number

    page = client.get(HISTORY).content.decode()
    assert "Action 74:" in page and restore_url("action", action.pk) in page
    response = client.post(restore_url("action", action.pk))
    assert response.status_code == 302 and response["Location"] == HISTORY
    action.refresh_from_db()
    assert action.removed_at is None and action.number == 74
    assert client.get(action.get_absolute_url()).status_code == 200
    assert "Action 74:" not in client.get(HISTORY).content.decode()
    latest = action.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Restored" and latest.history_user == secretary
    trail = client.get(reverse("meetings:object-history", args=[SLUG, "action", action.pk])).content.decode()
    assert "Changed: Restored" in trail and "Changed: Removed" in trail
    # Once back, there is nothing to restore.
    assert client.post(restore_url("action", action.pk)).status_code == 404


def test_it_restores_a_removed_agenda_item_at_its_number(client, april, secretary):
    client.force_login(secretary)
    items = list(april.items.live().order_by("position"))
    third = items[2]
    remove = reverse("meetings:item-remove", args=[SLUG, april.pk, third.pk])
    assert client.post(remove).status_code == 302
    assert [i.pk for i in april.items.live().order_by("position")] == [i.pk for i in items if i != third]

    page = client.get(HISTORY).content.decode()
    assert f"Item 3 of 17 April 2024: {third.title}" in page
    assert client.post(restore_url("item", third.pk)).status_code == 302
    assert [(i.pk, i.position) for i in april.items.live().order_by("position")] == [
        (item.pk, n) for n, item in enumerate(items, start=1)
    ]
    latest = third.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Restored" and latest.removed_at is None


def test_an_item_of_approved_minutes_is_not_restored(client, april, secretary):
    client.force_login(secretary)
    item = april.items.live().order_by("position").last()
    client.post(reverse("meetings:item-remove", args=[SLUG, april.pk, item.pk]))
    minutes_approve(meeting=april, by=secretary)
    refused = client.post(restore_url("item", item.pk))
    assert refused.status_code == 409 and "approved" in refused.content.decode()
    item.refresh_from_db()
    assert item.removed_at is not None


def test_only_the_boards_editors_restore(client, demo_board, secretary, outsider):
    action = Action.objects.get(board=demo_board, number=75)
    client.force_login(secretary)
    client.post(reverse("actions:action-remove", args=[SLUG, 75]))
    client.force_login(get_user_model().objects.get(username="member"))
    assert client.get(HISTORY).status_code == 403
    assert client.post(restore_url("action", action.pk)).status_code == 403
    client.force_login(outsider)
    assert client.get(HISTORY).status_code == 404
    assert client.post(restore_url("action", action.pk)).status_code == 404
    client.force_login(secretary)
    response = client.get(restore_url("action", action.pk))  # the address reloaded: back to the history page
    assert response.status_code == 302 and response["Location"] == HISTORY
    assert client.post(restore_url("paper", action.pk)).status_code == 404  # not a kind that is restored
    action.refresh_from_db()
    assert action.removed_at is not None


def test_a_removed_item_of_another_board_is_404(client, demo_board, outsider, other_board):
    item = AgendaItem.objects.filter(meeting__board=demo_board).first()
    AgendaItem.objects.filter(pk=item.pk).update(removed_at=timezone.now())
    client.force_login(outsider)
    assert client.post(reverse("meetings:object-restore", args=[other_board.slug, "item", item.pk])).status_code == 404


def test_the_history_page_costs_the_same_queries_for_one_removed_action_or_many(client, demo_board, secretary):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(secretary)
    numbers = list(Action.objects.filter(board=demo_board).order_by("number").values_list("number", flat=True))
    assert client.post(reverse("actions:action-remove", args=[SLUG, numbers[0]])).status_code == 302
    client.get(HISTORY)  # shows (and clears from the session) the "removed" message, out of the count
    with CaptureQueriesContext(connection) as one:
        page = client.get(HISTORY).content.decode()
    assert page.count("/restore/") == 1
    for number in numbers[1:9]:
        assert client.post(reverse("actions:action-remove", args=[SLUG, number])).status_code == 302
    client.get(HISTORY)
    with CaptureQueriesContext(connection) as nine:
        page = client.get(HISTORY).content.decode()
    assert page.count("/restore/") == 9
    assert len(nine) == len(one), [q["sql"] for q in nine.captured_queries]
