"""Nothing typed is lost: minutes saved item by item (htmx) or all at once (no JavaScript), each
version-checked; attendance refused when someone else changed it since the page was drawn."""

import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Attendance, AttendanceStatus
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(board, secretary, chair, member):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )


def minutes_url(meeting, item):
    return reverse("meetings:item-minutes", kwargs={"slug": meeting.board.slug, "pk": meeting.pk, "item_pk": item.pk})


def fields(item, notes, decisions="", version=None):
    p = f"minutes-{item.pk}"
    return {f"{p}-notes": notes, f"{p}-decisions": decisions, f"{p}-version": version or item.version}


def test_it_draws_every_items_minutes_in_one_form_with_autosave(client, secretary, meeting):
    client.force_login(secretary)
    body = client.get(meeting.get_absolute_url()).content.decode()
    item = meeting.items.get(position=1)
    assert '<form id="minutes-form" method="post"' in body
    assert body.count('form="minutes-form"') >= 3 * meeting.items.count()  # notes, decisions, version
    assert 'hx-trigger="input changed delay:1500ms, minutes-save"' in body
    assert f'formaction="{minutes_url(meeting, item)}#item-{item.pk}"' in body
    assert "htmx-2.min.js" in body and "js/meeting.js" in body


def test_without_javascript_one_save_keeps_the_text_of_every_item(client, secretary, meeting):
    client.force_login(secretary)
    first, second, third = meeting.items.filter(position__in=[1, 2, 3]).order_by("position")
    data = fields(first, "Apologies from MM.") | fields(second, "Agreed.", "Approved.") | fields(third, "")
    response = client.post(minutes_url(meeting, second), data)
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{second.pk}")
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.notes, second.notes, second.decisions) == ("Apologies from MM.", "Agreed.", "Approved.")
    assert (first.version, second.version, third.version) == (2, 2, 1)  # the untouched item is not written


def test_without_javascript_a_conflict_on_one_item_saves_the_others_and_keeps_the_text(client, secretary, meeting):
    client.force_login(secretary)
    first, second = meeting.items.filter(position__in=[1, 2]).order_by("position")
    services.minutes_save(meeting=meeting, entries=[(second, second.version, "Their notes", "")])
    data = fields(first, "My notes on 1") | fields(second, "My notes on 2", version=1)
    response = client.post(minutes_url(meeting, second), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "My notes on 2" in body and "Their notes" in body and "Replace their text with mine" in body
    first.refresh_from_db(), second.refresh_from_db()
    assert first.notes == "My notes on 1" and second.notes == "Their notes"
    # "Replace their text with mine": the save is based on their version, now seen.
    data = fields(second, "My notes on 2", version=1) | {f"minutes-{second.pk}-overwrite": second.version}
    assert client.post(minutes_url(meeting, second), data).status_code == 302
    second.refresh_from_db()
    assert second.notes == "My notes on 2"


def test_an_autosave_answers_with_the_items_status_alone(client, secretary, meeting):
    client.force_login(secretary)
    item = meeting.items.get(position=2)
    response = client.post(minutes_url(meeting, item), fields(item, "Typed"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<div id="minutes-status-{item.pk}"')
    assert "Saved " in body and f'name="minutes-{item.pk}-version" value="2"' in body
    assert "<html" not in body
    # The same text again (a Save click after the autosave) is no conflict, whatever version it carries.
    again = client.post(minutes_url(meeting, item), fields(item, "Typed", version=1), HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "Saved " in again.content.decode()


def test_a_second_editors_autosave_is_refused_with_the_first_editors_text(client, secretary, chair, meeting):
    item = meeting.items.get(position=2)
    client.force_login(secretary)
    client.post(minutes_url(meeting, item), fields(item, "The secretary's notes"), HTTP_HX_REQUEST="true")
    client.force_login(chair)
    response = client.post(minutes_url(meeting, item), fields(item, "The chair's notes"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 409 and "The secretary&#39;s notes" in body
    # The chair's page still holds version 1: the next autosave is refused again, nothing is overwritten.
    assert f'name="minutes-{item.pk}-version" value="1"' in body
    item.refresh_from_db()
    assert item.notes == "The secretary's notes" and item.version == 2


def test_a_locked_meeting_refuses_an_autosave_with_a_message(client, secretary, meeting):
    item = meeting.items.get(position=2)
    client.force_login(secretary)
    services.minutes_approve(meeting=meeting, by=secretary)
    response = client.post(minutes_url(meeting, item), fields(item, "Late"), HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "approved and locked" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == ""


def attendance_post(meeting, fingerprint, status):
    data = {f"status-{a.pk}": status for a in meeting.attendances.all()}
    return reverse("meetings:meeting-attendance", kwargs={"slug": meeting.board.slug, "pk": meeting.pk}), {
        **data,
        "fingerprint": fingerprint,
    }


def test_a_second_editors_attendance_save_is_refused_not_applied(client, secretary, chair, meeting):
    shown = services.attendance_fingerprint(meeting.attendances.all())  # both editors load the page
    client.force_login(secretary)
    url, data = attendance_post(meeting, shown, "present")
    assert client.post(url, data).status_code == 302
    client.force_login(chair)
    url, data = attendance_post(meeting, shown, "apologies")
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Someone else changed this meeting&#x27;s attendance" in response.content.decode()
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        AttendanceStatus.PRESENT
    }
    # Their attendance is shown (a fresh form): saving that again works.
    fresh = services.attendance_fingerprint(meeting.attendances.all())
    assert f'value="{fresh}"' in response.content.decode()
    url, data = attendance_post(meeting, fresh, "apologies")
    assert client.post(url, data).status_code == 302


def test_a_guest_added_since_the_page_was_drawn_refuses_the_attendance_save(client, secretary, meeting):
    shown = services.attendance_fingerprint(meeting.attendances.all())
    services.guest_add(meeting=meeting, full_name="Janice Spencer")
    client.force_login(secretary)
    url, data = attendance_post(meeting, shown, "absent")
    assert client.post(url, data).status_code == 409
    assert not meeting.attendances.filter(status="absent").exists()
