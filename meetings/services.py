"""Writes that touch several rows of a board's meetings, each one atomic."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import STANDING_ITEMS, AgendaItem, Attendance, AttendanceStatus, Board, Meeting, Membership


@transaction.atomic
def meeting_schedule(
    *,
    board: Board,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    place: str = "",
    online_link: str = "",
    title: str = "",
    by=None,
) -> Meeting:
    """Schedule a meeting with the standing agenda items and the board's current members invited."""
    if end_time <= start_time:
        raise ValidationError({"end_time": "The meeting must end after it starts."}, code="end_before_start")
    meeting = Meeting.objects.create(
        board=board, date=date, start_time=start_time, end_time=end_time, place=place, online_link=online_link, title=title
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=i, title=title, duration_minutes=minutes, is_standing=True)
        for i, (title, minutes) in enumerate(STANDING_ITEMS, start=1)
    )
    people = Membership.objects.current(date).filter(board=board).values_list("person_id", flat=True).distinct()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, person_id=pid, status=AttendanceStatus.INVITED) for pid in people
    )
    return meeting


def next_meeting_proposal(meeting: Meeting) -> dict:
    """Initial values for "schedule next meeting": a quarter on, the board's usual time and place."""
    board = meeting.board
    return {
        "date": meeting.date + datetime.timedelta(weeks=13),
        "start_time": board.default_start_time,
        "end_time": board.default_end_time,
        "place": board.default_place or meeting.place,
        "online_link": board.default_online_link or meeting.online_link,
    }


MEETING_LOCKED_MESSAGE = (
    "The minutes of this meeting are approved and locked. Ask the chair to reopen them before changing anything."
)


def ensure_meeting_editable(meeting: Meeting) -> None:
    """Refuse any write to a meeting whose minutes are approved (its attendance, agenda, minutes, papers)."""
    if meeting.is_locked:
        raise ValidationError(MEETING_LOCKED_MESSAGE, code="locked")
