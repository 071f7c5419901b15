"""Approved means locked, in one place: no write path — the app's forms, the services, the admin's
add, change and delete pages, its bulk delete — puts anything on a meeting whose minutes are approved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from actions.models import Action, ActionUpdate, Status
from actions.services import action_progress_add, action_raise, action_review_save
from conftest import make_person
from meetings import services
from meetings.admin import AttendanceAdmin
from meetings.models import AgendaItem, Attendance, AttendanceStatus, Meeting, MeetingStatus, Paper, Person


@pytest.fixture
def approved(board, secretary, member):
    """An approved meeting with an item, an attendance and an action raised there (owned by the member)."""
    meeting = services.meeting_schedule(
        board=board, date=datetime.date(2026, 10, 7), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    item = meeting.items.first()
    owner = Person.objects.get(user=member)
    action = action_raise(board=board, text="Send the data pack", responsible=[owner], item=item)
    services.minutes_approve(meeting=meeting, by=secretary)
    meeting.refresh_from_db()
    meeting.item, meeting.action = item, action
    return meeting


@pytest.fixture
def open_meeting(board):
    return services.meeting_schedule(
        board=board, date=datetime.date(2027, 1, 13), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )


def update_url(action):
    return reverse("actions:action-update-add", kwargs={"slug": action.board.slug, "number": action.number})


def test_a_member_cannot_record_an_update_at_an_approved_meeting(client, member, approved, open_meeting):
    action = approved.action
    client.force_login(member)
    page = client.get(action.get_absolute_url()).content.decode()
    # The form offers the open meeting, not the approved one.
    assert f'<option value="{open_meeting.pk}"' in page and f'<option value="{approved.pk}"' not in page
    data = {"status_after": Status.COMPLETE, "note": "Done", "meeting": approved.pk, "version": action.version}
    response = client.post(update_url(action), data)
    assert response.status_code == 400
    assert not ActionUpdate.objects.exists()
    # Between meetings, or at the open meeting: recorded.
    assert client.post(update_url(action), {**data, "meeting": open_meeting.pk}).status_code == 302
    assert ActionUpdate.objects.get().meeting == open_meeting


def test_the_services_refuse_every_write_at_an_approved_meeting(approved, member):
    action = approved.action
    with pytest.raises(ValidationError, match="approved and locked"):
        action_progress_add(action=action, expected_version=action.version, status=Status.CLOSED, meeting=approved)
    with pytest.raises(ValidationError, match="approved and locked"):
        action_review_save(
            meeting=approved, entries=[{"action": action, "status": Status.CLOSED, "note": "x", "version": 1}]
        )
    with pytest.raises(ValidationError, match="approved and locked"):
        action_raise(board=approved.board, text="Late", whole_board=True, meeting=approved)
    with pytest.raises(ValidationError, match="approved and locked"):
        services.item_add(meeting=approved, title="Late item")
    with pytest.raises(ValidationError, match="approved and locked"):
        services.guest_add(meeting=approved, full_name="Late Guest")
    with pytest.raises(ValidationError, match="approved and locked"):
        services.item_minutes_save(item=approved.item, expected_version=approved.item.version, notes="x", decisions="")
    with pytest.raises(ValidationError, match="approved and locked"):
        services.meeting_update(meeting=approved, expected_version=approved.version, place="Elsewhere")
    approved.refresh_from_db()
    assert not ActionUpdate.objects.exists() and Action.objects.count() == 1
    assert approved.items.count() == 5 and approved.place == ""


# --- the admin ------------------------------------------------------------------------------------------


def test_the_admins_add_pages_refuse_an_approved_meeting(client, staff, approved, open_meeting, member):
    client.force_login(staff)
    guest = Person.objects.create(full_name="Gail Guest", initials="GG")
    owner = Person.objects.get(user=member)
    cases = [
        (
            "meetings/attendance",
            {"person": guest.pk, "status": AttendanceStatus.PRESENT, "note": ""},
            lambda: Attendance.objects.filter(person=guest).count(),
        ),
        (
            "meetings/agendaitem",
            {
                "position": 9,
                "title": "Late item",
                "purpose": "information",
                "duration_minutes": 5,
                "version": 1,
                "papers-TOTAL_FORMS": 0,
                "papers-INITIAL_FORMS": 0,
            },
            lambda: AgendaItem.objects.filter(title="Late item").count(),
        ),
        (
            "actions/actionupdate",
            {
                "action": approved.action.pk,
                "status_before": Status.OPEN,
                "status_after": Status.CLOSED,
                "note": "Late",
                "created_at_0": "2026-11-30",
                "created_at_1": "10:00",
            },
            lambda: ActionUpdate.objects.count(),
        ),
        (
            "actions/action",
            {
                "board": approved.board.pk,
                "text": "Raised late",
                "issued_on": "2026-10-07",
                "status": Status.OPEN,
                "responsibilities-TOTAL_FORMS": 1,
                "responsibilities-INITIAL_FORMS": 0,
                "responsibilities-0-person": owner.pk,
                "responsibilities-0-position": 0,
                "updates-TOTAL_FORMS": 0,
                "updates-INITIAL_FORMS": 0,
            },
            lambda: Action.objects.filter(text="Raised late").count(),
        ),
    ]
    for path, data, count in cases:
        url = f"/admin/{path}/add/"
        response = client.post(url, {**data, "meeting": approved.pk})
        assert response.status_code == 200, path
        assert "approved and locked" in response.content.decode(), path
        assert count() == 0, path
        # The same page puts it on a meeting that is still open.
        response = client.post(url, {**data, "meeting": open_meeting.pk})
        assert response.status_code == 302, (path, response.content.decode()[:3000])
        assert count() == 1, path


def test_the_admin_refuses_a_paper_on_an_approved_meetings_item(client, staff, approved):
    client.force_login(staff)
    response = client.post(
        "/admin/meetings/paper/add/",
        {"item": approved.item.pk, "title": "Late paper", "file": ContentFile(b"%PDF-1.4\n", name="late.pdf")},
    )
    assert response.status_code == 200 and "approved and locked" in response.content.decode()
    assert not Paper.objects.exists()


def test_the_admin_keeps_an_approved_meetings_updates_read_only_but_its_actions_editable(
    client, staff, approved, open_meeting
):
    update = ActionUpdate.objects.create(
        action=approved.action,
        meeting=open_meeting,
        note="At the open meeting",
        status_before=Status.OPEN,
        status_after=Status.OPEN,
        created_at=approved.approved_at,
    )
    ActionUpdate.objects.filter(pk=update.pk).update(meeting=approved)
    client.force_login(staff)
    response = client.post(f"/admin/actions/actionupdate/{update.pk}/change/", {"note": "Rewritten"})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.note == "At the open meeting"
    # The action raised there moves on, as on its own page: its status may change in the admin.
    action = approved.action
    data = {
        "board": action.board.pk,
        "text": action.text,
        "issued_on": "2026-10-07",
        "meeting": approved.pk,
        "agenda_item": approved.item.pk,
        "status": Status.CLOSED,
        "responsibilities-TOTAL_FORMS": 0,
        "responsibilities-INITIAL_FORMS": 0,
        "updates-TOTAL_FORMS": 1,
        "updates-INITIAL_FORMS": 1,
        "updates-0-id": update.pk,
        "updates-0-action": action.pk,
        "updates-0-meeting": approved.pk,
        "updates-0-status_before": Status.OPEN,
        "updates-0-status_after": Status.OPEN,
        "updates-0-note": "At the open meeting",
        "updates-0-created_at_0": "2026-11-30",
        "updates-0-created_at_1": "09:30:00",
    }
    response = client.post(f"/admin/actions/action/{action.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.status == Status.CLOSED


def test_the_admins_bulk_delete_refuses_an_approved_meetings_rows(client, staff, approved):
    client.force_login(staff)
    ids = list(approved.attendances.values_list("pk", flat=True))
    assert ids
    response = client.post(
        "/admin/meetings/attendance/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    # Each row's delete permission is asked (read-only when approved); the delete itself takes the lock too.
    assert response.status_code == 403
    assert approved.attendances.count() == len(ids)


def test_an_admin_save_racing_the_approval_is_refused_under_the_meetings_lock(staff, board, open_meeting):
    """The form was valid while the meeting was open; the approval committed before the save."""
    guest = Person.objects.create(full_name="Gail Guest", initials="GG")
    row = Attendance(meeting=open_meeting, person=guest, status=AttendanceStatus.PRESENT)
    services.minutes_approve(
        meeting=open_meeting, by=make_person("ch2", "Chris Chair", "CCh", board=board, role="chair")
    )
    admin_ = AttendanceAdmin(Attendance, None)
    request = RequestFactory().post("/")
    request.user = staff
    with pytest.raises(ValidationError, match="approved and locked"):
        admin_.save_model(request, row, form=None, change=False)
    assert not Attendance.objects.filter(person=guest).exists()
    assert Meeting.objects.get(pk=open_meeting.pk).status == MeetingStatus.APPROVED
