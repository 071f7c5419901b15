"""The action log page shows every write at once, whichever door it came through.

The page keeps no cache (a cached table was only as fresh as every writer's memory to move its
version on). These tests read the page first, then change the log through each door — the app's
forms, the services, the admin, the import, a plain queryset update — and read the numbers and
cells from the HTML again: any cache of the table would still show the old ones.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions.importing import read_file
from actions.models import Action
from actions.services import action_raise, actions_import
from actions.tests.import_files import csv_bytes
from actions.tests.test_action_log import log_url, numbers_on, person_of
from meetings.models import AgendaItem, Membership, Person, Role
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(board, secretary):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 1, 10), start_time=datetime.time(14), end_time=datetime.time(15)
    )


@pytest.fixture
def item(meeting):
    return AgendaItem.objects.create(meeting=meeting, title="Data pack", position=1)


@pytest.fixture
def first(board, secretary):
    return action_raise(
        board=board,
        text="Share the data pack",
        responsible=[person_of(secretary)],
        issued_on=datetime.date(2029, 12, 1),
    )


def row(response, number) -> str:
    match = re.search(
        rf'<tr>\s*<td><a href="[^"]+/actions/{number}/">{number}</a>.*?</tr>', response.content.decode(), re.S
    )
    return match.group(0) if match else ""


def url(name, action, **kw):
    return reverse(f"actions:{name}", kwargs={"slug": action.board.slug, "number": action.number, **kw})


def test_a_raised_action_shows_at_once(client, board, secretary, meeting, item, first):
    client.force_login(secretary)
    assert numbers_on(client.get(log_url(board))) == [first.number]
    prefix = f"action-{item.pk}"
    raised = client.post(
        reverse("actions:item-raise-action", kwargs={"slug": board.slug, "pk": meeting.pk, "item_pk": item.pk}),
        {f"{prefix}-text": "Write to the DfE", f"{prefix}-responsible": [person_of(secretary).pk]},
    )
    assert raised.status_code == 302
    assert numbers_on(client.get(log_url(board))) == [first.number + 1, first.number]


def test_an_update_an_edit_and_a_removal_show_at_once(client, board, secretary, first):
    client.force_login(secretary)
    assert "Open" in row(client.get(log_url(board)), first.number)

    done = client.post(
        url("action-update-add", first), {"status_after": "complete", "note": "Sent in March", "version": first.version}
    )
    assert done.status_code == 302
    cells = row(client.get(log_url(board)), first.number)
    assert "Complete" in cells and "Sent in March" in cells

    first.refresh_from_db()
    edited = client.post(
        url("action-edit", first),
        {
            "text": "Share the regional data pack",
            "responsible": [person_of(secretary).pk],
            "status_note": "",
            "version": first.version,
        },
    )
    assert edited.status_code == 302
    assert "Share the regional data pack" in row(client.get(log_url(board)), first.number)

    assert client.post(url("action-remove", first)).status_code == 302
    assert numbers_on(client.get(log_url(board))) == []


def test_a_review_shows_at_once(client, board, secretary, meeting, first):
    client.force_login(secretary)
    assert "Open" in row(client.get(log_url(board)), first.number)
    review = reverse("actions:meeting-review", kwargs={"slug": board.slug, "pk": meeting.pk})
    saved = client.post(
        review,
        {f"status-{first.pk}": "closed", f"note-{first.pk}": "Closed at review", f"version-{first.pk}": first.version},
    )
    assert saved.status_code == 302
    assert "Closed at review" in row(client.get(log_url(board)), first.number)


def test_admin_changes_show_at_once(client, board, secretary, staff, first):
    client.force_login(staff)
    sam = person_of(secretary)
    assert f"<td>{sam.initials}</td>" in row(client.get(log_url(board)), first.number)

    # A person's initials, changed in the admin, in the log's "Responsible" column.
    person_form = {
        "full_name": sam.full_name,
        "initials": "SJ",
        "organisation": sam.organisation,
        "job_title": "",
        "email": "",
        "user": secretary.pk,
    }
    changed = client.post(reverse("admin:meetings_person_change", args=[sam.pk]), person_form)
    assert changed.status_code == 302
    assert "<td>SJ</td>" in row(client.get(log_url(board)), first.number)

    # An update added in the admin: its note, and the log's date moves to today.
    Action.objects.filter(pk=first.pk).update(updated_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 12)))
    assert "This action log was updated on 1 March 2024." in client.get(log_url(board)).content.decode()
    added = client.post(
        reverse("admin:actions_actionupdate_add"),
        {
            "action": first.pk,
            "status_before": "open",
            "status_after": "open",
            "note": "Chased by the admin",
            "created_at_0": "2030-01-11",
            "created_at_1": "10:00",
        },
    )
    assert added.status_code == 302
    page = client.get(log_url(board))
    assert "Chased by the admin" in row(page, first.number)
    assert f"This action log was updated on {date_format(timezone.localdate(), 'j F Y')}." in page.content.decode()


def test_membership_changes_reach_a_filter_of_whole_board_actions(client, board, secretary, member, staff):
    everyone = action_raise(board=board, text="Everyone reads the report", whole_board=True)
    mary = person_of(member)
    client.force_login(secretary)
    mine = log_url(board, f"?responsible={mary.pk}")
    assert numbers_on(client.get(mine)) == [everyone.number]
    # Mary leaves the board (an editor does this in the admin): "all" no longer includes her.
    seat = Membership.objects.get(board=board, person=mary)
    client.force_login(staff)
    left = client.post(
        reverse("admin:meetings_membership_change", args=[seat.pk]),
        {
            "person": mary.pk,
            "board": board.pk,
            "role": Role.MEMBER,
            "since": "",
            "until": "2020-01-01",
        },
    )
    assert left.status_code == 302
    assert numbers_on(client.get(mine)) == []


def test_people_named_for_the_first_time_join_the_responsible_filter(client, board, secretary, first):
    client.force_login(secretary)
    assert "Nina Newcomer" not in client.get(log_url(board)).content.decode()
    nina = Person.objects.create(full_name="Nina Newcomer", initials="NN")  # a guest, named on an action
    action_raise(board=board, text="Nina to send the figures", responsible=[nina])
    page = client.get(log_url(board)).content.decode()
    assert f'<option value="{nina.pk}">Nina Newcomer' in page


def test_the_same_table_serves_a_member_after_an_editor_without_the_editor_s_buttons(
    client, board, secretary, member, first
):
    client.force_login(secretary)
    editor_page = client.get(log_url(board)).content.decode()
    assert "Import a log" in editor_page
    client.force_login(member)
    member_page = client.get(log_url(board))
    assert numbers_on(member_page) == [first.number] and "Import a log" not in member_page.content.decode()


def test_a_bulk_queryset_update_shows_at_once(client, board, secretary, first):
    """A write no service made (a data migration, a shell): nothing has to remember to tell the page."""
    client.force_login(secretary)
    assert "Open" in row(client.get(log_url(board)), first.number)
    Action.objects.filter(board=board).update(status="closed", status_note="Closed in bulk")
    cells = row(client.get(log_url(board)), first.number)
    assert "Closed" in cells and "Closed in bulk" in cells


def test_an_imported_log_shows_at_once(client, board, secretary, first):
    client.force_login(secretary)
    assert numbers_on(client.get(log_url(board))) == [first.number]
    rows = [["90", "Carried over from the old log", person_of(secretary).initials, "Mar 2023", "Open"]]
    actions_import(board=board, rows=read_file("old.csv", csv_bytes(rows)).rows, create_people=False)
    assert numbers_on(client.get(log_url(board))) == [90, first.number]


def test_a_meeting_deleted_in_the_admin_is_gone_from_the_raised_at_filter(client, board, secretary, staff, meeting):
    raised = action_raise(
        board=board, text="Raised at the January meeting", responsible=[person_of(secretary)], meeting=meeting
    )
    other = action_raise(board=board, text="Raised between meetings", responsible=[person_of(secretary)])
    client.force_login(staff)
    at_meeting = log_url(board, f"?meeting={meeting.pk}")
    assert numbers_on(client.get(at_meeting)) == [raised.number]
    assert client.post(reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"}).status_code == 302
    # The filter no longer names a meeting: a 400 that says so, and no rows (an invalid filter
    # matches nothing rather than showing the whole log as if it matched).
    response = client.get(at_meeting)
    assert response.status_code == 400 and numbers_on(response) == []
    assert "0 actions match these filters" in response.content.decode()
    assert numbers_on(client.get(log_url(board))) == [other.number, raised.number]
