"""Removing an action keeps its record, history and number."""

from django.contrib.auth import get_user_model

from actions.models import Action
from actions.services import action_raise


def url(number, slug="south-east-alb"):
    return f"/boards/{slug}/actions/{number}/remove/"


def test_it_removes_an_action_from_the_log_but_keeps_its_record_and_number(client, demo_board):
    client.force_login(get_user_model().objects.get(username="secretary"))
    response = client.post(url(76))
    assert response.status_code == 302
    action = Action.objects.get(board=demo_board, number=76)
    assert action.removed_at is not None
    log = client.get("/boards/south-east-alb/actions/").content.decode()
    assert 'href="/boards/south-east-alb/actions/76/"' not in log
    assert client.get("/boards/south-east-alb/actions/76/").status_code == 404
    assert action.history.count() >= 2
    history = client.get(f"/boards/south-east-alb/history/action/{action.pk}/").content.decode()
    assert "removed_at" in history
    # The number is gone for good: the next action is 77, and 76 is never handed out again.
    assert action_raise(board=demo_board, text="next", whole_board=True).number == 77


def test_members_may_not_remove_actions(client, demo_board):
    client.force_login(get_user_model().objects.get(username="member"))
    assert client.post(url(73)).status_code == 403
    assert Action.objects.get(board=demo_board, number=73).removed_at is None


def test_removing_needs_post(client, demo_board):
    client.force_login(get_user_model().objects.get(username="secretary"))
    response = client.get(url(73))  # the address reloaded: back to the action, nothing removed
    assert response.status_code == 302 and response["Location"] == f"/boards/{demo_board.slug}/actions/73/"
    assert Action.objects.get(board=demo_board, number=73).removed_at is None
