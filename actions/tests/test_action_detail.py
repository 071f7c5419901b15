import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from actions.tests.test_action_log import make_action, make_many, person_of
from meetings.models import AgendaItem, Meeting


def detail_url(action):
    return reverse("actions:action-detail", kwargs={"slug": action.board.slug, "number": action.number})


def update_url(action):
    return reverse("actions:action-update-add", kwargs={"slug": action.board.slug, "number": action.number})


def edit_url(action):
    return reverse("actions:action-edit", kwargs={"slug": action.board.slug, "number": action.number})


@pytest.fixture
def feb(board):
    return Meeting.objects.create(
        board=board, date=datetime.date(2024, 2, 23), start_time=datetime.time(10), end_time=datetime.time(11, 30)
    )


@pytest.fixture
def action(board, feb, member):
    item = AgendaItem.objects.create(meeting=feb, position=2, title="Regional adoption data")
    a = make_action(board, 73, text="Share the data pack", people=[person_of(member)], meeting=feb, issued_on=feb.date)
    a.agenda_item = item
    a.save()
    return a


def test_it_shows_where_the_action_came_from_and_who_answers_for_it(client, action, feb, secretary):
    client.force_login(secretary)
    response = client.get(detail_url(action))
    html = response.content.decode()
    assert response.status_code == 200
    meeting_url = reverse("meetings:meeting-detail", kwargs={"slug": action.board.slug, "pk": feb.pk})
    assert f'href="{meeting_url}"' in html and "23 February 2024" in html
    assert f'href="{meeting_url}#item-{action.agenda_item_id}"' in html and "Regional adoption data" in html
    assert "Mary Member (MM)" in html and "Feb 2024" in html


def test_it_shows_the_whole_history_with_who_when_where_and_the_status_change(client, action, feb, secretary, chair):
    ActionUpdate.objects.create(
        action=action,
        meeting=feb,
        note="Discussed at February meeting",
        status_before="open",
        status_after="in_progress",
        created_at=timezone.make_aware(datetime.datetime(2024, 2, 23, 11)),
        created_by=chair,
    )
    ActionUpdate.objects.create(
        action=action,
        note="Pack sent round",
        status_before="in_progress",
        status_after="complete",
        created_at=timezone.make_aware(datetime.datetime(2024, 3, 4, 9, 15)),
        created_by=secretary,
    )
    client.force_login(secretary)
    html = client.get(detail_url(action)).content.decode()
    first, second = html.index("Discussed at February meeting"), html.index("Pack sent round")
    assert first < second
    assert "Colin Chair" in html and "Sally Secretary" in html
    assert "23 Feb 2024, 11:00" in html and "4 Mar 2024, 09:15" in html
    assert "Open → In progress" in html and "In progress → Complete" in html
    assert "between meetings" in html


def test_a_responsible_member_adds_a_progress_update(client, action, feb, member):
    client.force_login(member)
    response = client.post(
        update_url(action),
        {
            "status_after": "in_progress",
            "note": "Drafted the pack",
            "meeting": feb.pk,
            "status_note": "",
            "version": action.version,
        },
    )
    assert response.status_code == 302 and response.url == detail_url(action)
    update = ActionUpdate.objects.get(action=action)
    assert (update.status_before, update.status_after, update.note, update.meeting, update.created_by) == (
        "open",
        "in_progress",
        "Drafted the pack",
        feb,
        member,
    )
    action.refresh_from_db()
    assert action.status == "in_progress" and action.version == 2
    page = client.get(response.url).content.decode()
    assert "Update added to action 73." in page and "Drafted the pack" in page


def test_an_editor_adds_an_update_to_any_action_and_may_set_the_status_note(client, action, secretary):
    client.force_login(secretary)
    response = client.post(
        update_url(action),
        {
            "status_after": "closed",
            "note": "",
            "status_note": "moved to kinship care group",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.status_note) == ("closed", "moved to kinship care group")


def test_everyone_on_the_board_may_update_an_action_for_all(client, board, member):
    a = make_action(board, 5, whole_board=True)
    client.force_login(member)
    assert "Add a progress update" in client.get(detail_url(a)).content.decode()
    response = client.post(update_url(a), {"status_after": "open", "note": "Noted", "version": a.version})
    assert response.status_code == 302 and a.updates.count() == 1


def test_a_member_who_is_not_responsible_may_not_update_it(client, board, chair, member):
    a = make_action(board, 6, people=[person_of(chair)])
    client.force_login(member)
    page = client.get(detail_url(a))
    assert page.status_code == 200 and "Add a progress update" not in page.content.decode()
    response = client.post(update_url(a), {"status_after": "complete", "note": "Done", "version": a.version})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.status == "open" and not a.updates.exists()


def test_a_members_attempt_to_edit_an_action_is_refused(client, action, member):
    client.force_login(member)
    assert "Edit action" not in client.get(detail_url(action)).content.decode()
    assert client.get(edit_url(action)).status_code == 403
    response = client.post(
        edit_url(action),
        {
            "text": "Changed by a member",
            "whole_board": "on",
            "responsible": [],
            "version": action.version,
        },
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.text == "Share the data pack" and not action.whole_board and action.version == 1


def test_an_editor_edits_the_action_itself(client, action, secretary, chair):
    client.force_login(secretary)
    assert client.get(edit_url(action)).status_code == 200
    response = client.post(
        edit_url(action),
        {
            "text": "Share the data pack with the board",
            "responsible": [person_of(chair).pk, person_of(secretary).pk],
            "due_date": "2024-04-17",
            "status_note": "",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.text == "Share the data pack with the board" and action.due_date == datetime.date(2024, 4, 17)
    assert {p.initials for p in Action.objects.with_people().get(pk=action.pk).people} == {"CC", "SS"}
    assert action.version == 2 and action.history.count() >= 2


def test_the_second_of_two_editors_is_refused_and_keeps_their_text(client, action, secretary, chair):
    first, second = client, client.__class__()
    first.force_login(secretary)
    second.force_login(chair)
    common = {"responsible": [person_of(secretary).pk], "status_note": "", "version": action.version}
    assert first.post(edit_url(action), {**common, "text": "First editor's words"}).status_code == 302
    response = second.post(edit_url(action), {**common, "text": "Second editor's words"})
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert "Someone else saved this" in page and "Second editor's words</textarea>" in page
    action.refresh_from_db()
    assert action.text == "First editor's words"


def test_an_update_based_on_an_old_version_is_refused_with_409(client, action, member, secretary):
    client.force_login(member)
    stale = action.version
    Action.objects.filter(pk=action.pk).update(status="complete", version=stale + 1)
    response = client.post(update_url(action), {"status_after": "in_progress", "note": "My words", "version": stale})
    assert response.status_code == 409
    assert "Someone else saved this" in response.content.decode() and "My words" in response.content.decode()
    assert not ActionUpdate.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status_after": "sleeping", "note": "x"}, "status_after"),
        ({"status_after": "open", "note": "x", "version": "abc"}, "version"),
        ({"status_after": "open", "note": "", "version": 1}, "__all__"),
        ({"status_after": "open", "note": "x", "version": 1, "meeting": 999999}, "meeting"),
    ],
)
def test_bad_updates_are_refused_with_form_errors(client, action, member, data, field):
    client.force_login(member)
    response = client.post(update_url(action), data)
    assert response.status_code == 400
    assert field in response.context["update_form"].errors
    assert not ActionUpdate.objects.exists()


def test_an_edit_without_anyone_responsible_is_refused(client, action, secretary):
    client.force_login(secretary)
    response = client.post(edit_url(action), {"text": "  ", "responsible": [], "version": action.version})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "text" in errors
    response = client.post(edit_url(action), {"text": "Fine", "responsible": [], "version": action.version})
    assert (
        response.status_code == 400 and response.context["form"].errors.as_data()["__all__"][0].code == "no_responsible"
    )
    action.refresh_from_db()
    assert action.text == "Share the data pack"


def test_a_meeting_of_another_board_is_not_accepted(client, action, member, other_board):
    theirs = Meeting.objects.create(
        board=other_board, date=datetime.date(2024, 2, 1), start_time=datetime.time(10), end_time=datetime.time(11)
    )
    client.force_login(member)
    response = client.post(
        update_url(action), {"status_after": "open", "note": "x", "version": 1, "meeting": theirs.pk}
    )
    assert response.status_code == 400 and not ActionUpdate.objects.exists()


def test_updating_needs_a_post(client, action, member):
    client.force_login(member)
    response = client.get(update_url(action))
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()


def test_a_removed_action_is_not_found(client, action, member):
    Action.objects.filter(pk=action.pk).update(removed_at=timezone.now())
    client.force_login(member)
    assert client.get(detail_url(action)).status_code == 404


def test_it_runs_the_same_queries_for_10_or_1000_actions(
    client, board, action, feb, member, secretary, django_assert_num_queries
):
    for n in range(3):
        ActionUpdate.objects.create(
            action=action,
            meeting=feb,
            note=f"u{n}",
            status_before="open",
            status_after="open",
            created_at=timezone.now(),
            created_by=secretary,
        )
    make_many(board, 10, start=100, person=person_of(member), meeting=feb)
    client.force_login(member)
    client.get(detail_url(action))
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(action)).status_code == 200
    make_many(board, 990, start=200, person=person_of(member), meeting=feb)
    for n in range(20):
        ActionUpdate.objects.create(
            action=action,
            meeting=feb,
            note=f"more {n}",
            status_before="open",
            status_after="open",
            created_at=timezone.now(),
            created_by=member,
        )
    with django_assert_num_queries(len(few)):
        assert client.get(detail_url(action)).status_code == 200


def test_editing_keeps_the_order_the_minutes_wrote_the_initials_in(client, board, secretary, chair, member):
    sally, colin, mary = person_of(secretary), person_of(chair), person_of(member)
    a = make_action(board, 9, people=[sally, colin])  # "SS/CC", not alphabetical
    client.force_login(secretary)
    response = client.post(
        edit_url(a), {"text": a.text, "responsible": [mary.pk, colin.pk, sally.pk], "version": a.version}
    )
    assert response.status_code == 302
    assert Action.objects.with_people().get(pk=a.pk).responsible_label() == "SS/CC/MM"


def test_an_admin_change_refuses_an_edit_loaded_before_it(client, action, secretary, staff):
    loaded = action.version
    client.force_login(staff)
    changed = client.post(
        reverse("admin:actions_action_change", args=[action.pk]),
        {
            "board": action.board_id,
            "text": "Changed in the admin",
            "whole_board": "on",
            "issued_on": action.issued_on.isoformat(),
            "status": action.status,
            "status_note": "",
            "responsibilities-TOTAL_FORMS": "0",
            "responsibilities-INITIAL_FORMS": "0",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    assert changed.status_code == 302, changed.context["adminform"].form.errors if changed.context else changed
    client.force_login(secretary)
    response = client.post(
        edit_url(action), {"text": "Secretary's words", "whole_board": "on", "status_note": "", "version": loaded}
    )
    assert response.status_code == 409
    action.refresh_from_db()
    assert action.text == "Changed in the admin"
