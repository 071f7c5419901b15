import datetime

import pytest
from django.db import IntegrityError, transaction

from meetings.models import Attendance, AttendanceStatus, Meeting, Person
from meetings.services import meeting_schedule


def test_a_meeting_must_end_after_it_starts(board):
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            board=board, date=datetime.date(2024, 4, 17), start_time=datetime.time(14), end_time=datetime.time(13)
        )


def test_one_attendance_row_per_person_per_meeting(board):
    meeting = Meeting.objects.create(
        board=board, date=datetime.date(2024, 4, 17), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    person = Person.objects.create(full_name="Ann Other", initials="AO")
    Attendance.objects.create(meeting=meeting, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=meeting, person=person, status=AttendanceStatus.PRESENT)


def test_scheduling_prefills_standing_items_and_current_members(board, secretary, member):
    meeting = meeting_schedule(
        board=board, date=datetime.date(2024, 4, 17), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    assert [i.title for i in meeting.items.all()][:3] == [
        "Welcome, introductions and apologies",
        "Minutes of the last meeting and matters arising",
        "Action log review",
    ]
    assert all(i.is_standing for i in meeting.items.all())
    assert {a.person.user for a in meeting.attendances.all()} == {secretary, member}
