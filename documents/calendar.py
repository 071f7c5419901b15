"""The board's meetings as an iCalendar feed: stable UIDs, so a subscribed calendar moves a moved meeting."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from adoptboard.text import printable
from meetings.models import Board, Meeting

LONDON = ZoneInfo("Europe/London")
ICS = "text/calendar; charset=utf-8"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@adoptboard"


def calendar_ics(
    *,
    board: Board,
    meetings,
    base_url: str,
    last_modified: dict[int, datetime.datetime] | None = None,
    now: datetime.datetime | None = None,
) -> bytes:
    """The board's meetings as an iCalendar feed, times in Europe/London.

    SEQUENCE follows the meeting's version (bumped on every edit through the app) and
    LAST-MODIFIED its latest change, so clients replace a moved meeting rather than keep both.
    """
    from icalendar import Calendar, Event

    now = now or timezone.now()
    last_modified = last_modified or {}
    cal = Calendar()
    cal.add("prodid", "-//AdoptBoard//Board meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", printable(board.name))
    cal.add("x-wr-timezone", "Europe/London")
    for m in meetings:
        event = Event()
        event.add("uid", meeting_uid(m))
        event.add("summary", printable(m.title or f"{board.short_name or board.name} meeting"))
        event.add("dtstart", datetime.datetime.combine(m.date, m.start_time, tzinfo=LONDON))
        event.add("dtend", datetime.datetime.combine(m.date, m.end_time, tzinfo=LONDON))
        event.add("dtstamp", now)
        event.add("sequence", m.version)
        changed = last_modified.get(m.pk)
        if changed:
            event.add("last-modified", changed)
        url = base_url.rstrip("/") + m.get_absolute_url()
        event.add("url", url)
        if m.place or m.online_link:
            event.add("location", printable(m.place or m.online_link))
        description = [f"{board.name}: {m.get_status_display().lower()}.", f"Meeting page: {url}"]
        if m.online_link:
            description.append(f"Join online: {m.online_link}")
        event.add("description", printable("\n".join(description)))
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
