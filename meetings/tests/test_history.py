import pytest

from actions.models import Action
from actions.services import action_progress_add


def url(kind, pk, slug="south-east-alb"):
    return f"/boards/{slug}/history/{kind}/{pk}/"


@pytest.fixture
def editor(demo_board):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="secretary")


def test_it_shows_who_changed_an_action_and_how(client, editor, demo_board):
    action = Action.objects.get(board=demo_board, number=73)
    action_progress_add(
        action=action, expected_version=action.version, status="closed", note="Project finished", by=editor
    )
    client.force_login(editor)
    page = client.get(url("action", action.pk)).content.decode()
    assert "status" in page and "open → closed" in page
    assert "Created" in page and "Changed" in page


def test_it_records_the_user_who_made_a_change_through_a_page(client, editor, staff, demo_board):
    # HistoryRequestMiddleware ties each change made during a request to the user who made it.
    person = editor.person
    client.force_login(staff)
    response = client.post(
        f"/admin/meetings/person/{person.pk}/change/",
        {
            "full_name": "Rebecca Eligon-Smith",
            "initials": "RE",
            "organisation": "SESLIP",
            "job_title": "",
            "email": "",
            "user": editor.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(url("person", person.pk)).content.decode()
    assert "Rebecca Eligon → Rebecca Eligon-Smith" in page
    assert "<td>admin</td>" in page


def test_members_may_not_see_the_audit_trail(client, demo_board):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="member"))
    action = Action.objects.get(board=demo_board, number=73)
    assert client.get(url("action", action.pk)).status_code == 403


def test_another_boards_records_are_404(client, demo_board, outsider, other_board):
    client.force_login(outsider)
    action = Action.objects.get(board=demo_board, number=73)
    assert client.get(url("action", action.pk, slug=other_board.slug)).status_code == 404
    assert client.get(url("action", action.pk)).status_code == 404
    assert client.get(url("nonsense", 1, slug=other_board.slug)).status_code == 404
