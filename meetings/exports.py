"""The chair's documents: agenda and minutes (PDF, Word), the action log (PDF), the calendar feed.

`meeting_pack` gathers what a meeting's documents show in a fixed number of queries; the
renderers below it are pure: they take that data and return bytes. Views only wrap them.
"""

from __future__ import annotations

import datetime
import io
import mimetypes
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import OPEN_STATUSES, Action, ActionUpdate
from actions.selectors import log_updated_at

from .models import AgendaItem, Attendance, AttendanceStatus, Board, Meeting, Membership, Paper, Role, Topic
from .services import item_start_times

LONDON = ZoneInfo("Europe/London")
# The minutes print the whole log as it stood, as the board's Word minutes do, up to this many
# actions. A longer log is cut to what the meeting dealt with (see meeting_pack): WeasyPrint lays
# out 30-100 rows a second, and a board's 10,000 actions took 55 s, past any request timeout.
MINUTES_FULL_LOG_MAX = 500
# WeasyPrint resolves the templates' relative URLs against this made-up origin; the fetcher
# below answers for its /static/ files and nothing else.
DOCUMENT_BASE_URL = "https://adoptboard.invalid/"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ICS = "text/calendar; charset=utf-8"


# ---------------------------------------------------------------------------------------------
# The data a meeting's documents show
# ---------------------------------------------------------------------------------------------


@dataclass
class ScheduledItem:
    """An agenda item with its number and start time on the day."""

    number: int
    item: AgendaItem
    starts: datetime.time
    papers: list[Paper]
    actions: list[Action]


@dataclass
class MeetingPack:
    board: Board
    meeting: Meeting
    officers: list[Membership]
    present: list[Attendance]
    apologies: list[Attendance]
    invited: list[Attendance]
    guests: list[Attendance]
    items: list[ScheduledItem]
    open_actions: list[Action]
    action_log: list[Action]
    # How many actions the whole log held, when `action_log` is cut to the meeting's (see MINUTES_FULL_LOG_MAX).
    log_total: int | None
    log_updated_on: datetime.date | None
    topics: list[Topic]
    upcoming: list[Meeting]
    generated_on: datetime.date = field(default_factory=timezone.localdate)

    @property
    def expected(self) -> list[Attendance]:
        """Who the agenda lists as coming: invitees not (yet) sending apologies."""
        return sorted(self.present + self.invited, key=lambda a: (a.person.full_name, a.person.initials))


def log_cut_note(pack: MeetingPack) -> str:
    """What the minutes say when their action log is cut to the meeting's actions."""
    return (
        f"The log held {pack.log_total:,} actions at this meeting; these {len(pack.action_log):,} are the ones "
        "still open and those raised or updated at the meeting. The whole log is in the action log's "
        "downloads (CSV, Excel)."
    )


def meeting_pack(meeting: Meeting, *, with_log: bool = True) -> MeetingPack:
    """Everything the agenda and minutes of `meeting` show, in a fixed number of queries.

    The agenda shows only the open actions: `with_log=False` fetches those alone, not the whole
    log (on a board with 10,000 actions, loading the log cost more than rendering the PDF).
    """
    board = meeting.board
    attendances = list(
        meeting.attendances.select_related("person", "deputising_for").order_by("person__full_name", "person__initials")
    )
    officers = list(
        Membership.objects.current(meeting.date)
        .filter(board=board, role__in=[Role.CHAIR, Role.VICE_CHAIR, Role.SECRETARY])
        .select_related("person")
        .order_by("role", "person__full_name")
    )
    # Chair, vice chair, then support, as the seed's agenda names them.
    rank = {Role.CHAIR: 0, Role.VICE_CHAIR: 1, Role.SECRETARY: 2}
    officers.sort(key=lambda m: rank[m.role])
    items = list(
        AgendaItem.objects.live()
        .filter(meeting=meeting)
        .select_related("lead")
        .prefetch_related(
            Prefetch("papers", queryset=Paper.objects.order_by("title"), to_attr="paper_list"),
            Prefetch(
                "actions_raised",
                queryset=Action.objects.live().with_people().order_by("number"),
                to_attr="action_list",
            ),
        )
        .order_by("position", "pk")
    )
    board_actions = Action.objects.live().filter(board=board)
    # The log as it stands for this meeting: nothing raised after it.
    log_qs = board_actions.filter(issued_on__lte=meeting.date).with_people().order_by("-number")
    log_total = None
    if with_log:
        if (total := log_qs.count()) > MINUTES_FULL_LOG_MAX:
            # What the meeting dealt with: the actions still open, and those raised or updated at it.
            updated_here = ActionUpdate.objects.filter(meeting=meeting).values("action_id")
            log_qs, log_total = (
                log_qs.filter(Q(status__in=OPEN_STATUSES) | Q(meeting=meeting) | Q(pk__in=updated_here)),
                total,
            )
        log = list(log_qs)
        open_before = [a for a in log if a.is_open and a.meeting_id != meeting.pk]
    else:
        log = []
        open_before = list(log_qs.open().exclude(meeting=meeting))
    updated = log_updated_at(board)
    item_start_times(meeting, items)
    return MeetingPack(
        board=board,
        meeting=meeting,
        officers=officers,
        present=[a for a in attendances if a.status == AttendanceStatus.PRESENT and not a.is_guest],
        apologies=[a for a in attendances if a.status == AttendanceStatus.APOLOGIES],
        invited=[a for a in attendances if a.status == AttendanceStatus.INVITED and not a.is_guest],
        guests=[
            a for a in attendances if a.is_guest and a.status in (AttendanceStatus.PRESENT, AttendanceStatus.INVITED)
        ],
        items=[
            ScheduledItem(number=n, item=it, starts=it.starts_at, papers=it.paper_list, actions=it.action_list)
            for n, it in enumerate(items, start=1)
        ],
        open_actions=open_before,
        action_log=log,
        log_total=log_total,
        log_updated_on=timezone.localtime(updated).date() if updated else None,
        topics=list(
            Topic.objects.filter(board=board, scheduled_item__isnull=True)
            .filter(Q(proposed_on__lte=meeting.date) | Q(proposed_at=meeting))
            .select_related("proposed_by")
            .order_by("proposed_on", "pk")
        ),
        upcoming=list(
            Meeting.objects.filter(board=board)
            .filter(Q(date__gt=meeting.date) | Q(date=meeting.date, start_time__gt=meeting.start_time))
            .order_by("date", "start_time")[:4]
        ),
    )


# ---------------------------------------------------------------------------------------------
# PDF: HTML templates through WeasyPrint, fetching nothing but the app's own static files
# ---------------------------------------------------------------------------------------------


def static_file_for(url: str) -> Path | None:
    """The file on disk behind one of our own static URLs, or None for anything else."""
    static = urlsplit(settings.STATIC_URL)
    # STATIC_URL may be a path ("static/") resolved against our made-up base, or absolute (a CDN).
    origin = urlsplit(DOCUMENT_BASE_URL) if not static.netloc else static
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc) or parts.query:
        return None
    prefix = "/" + static.path.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    relative = posixpath.normpath(unquote(parts.path[len(prefix) :]))
    if relative.startswith(("../", "/")) or relative in ("..", "."):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the app's static files; refuses the network, file:// and everything else.

        Documents hold user text; even though it is escaped, nothing in them may make the
        server fetch a URL.
        """

        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                raise ValueError(f"Documents may only use the app's static files, not {url[:100]}")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticOnlyFetcher(fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    # Imported here: loading WeasyPrint costs half a second, which no other page should pay.
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=_url_fetcher())
    return document.write_pdf()


def agenda_html(pack: MeetingPack) -> str:
    return render_to_string("documents/agenda.html", {"pack": pack, "board": pack.board, "meeting": pack.meeting})


def minutes_html(pack: MeetingPack) -> str:
    context = {"pack": pack, "board": pack.board, "meeting": pack.meeting}
    if pack.log_total:
        context["log_cut_note"] = log_cut_note(pack)
    return render_to_string("documents/minutes.html", context)


def agenda_pdf(pack: MeetingPack) -> bytes:
    return html_to_pdf(agenda_html(pack))


def minutes_pdf(pack: MeetingPack) -> bytes:
    return html_to_pdf(minutes_html(pack))


def action_log_pdf(
    *,
    board: Board,
    actions,
    updated_on: datetime.date | None,
    filters: list[tuple[str, str]] | None = None,
    total: int | None = None,
) -> bytes:
    """The action log (or the filtered part of it) as a landscape table.

    `total` is how many actions matched when `actions` holds only the first of them.
    """
    html = render_to_string(
        "documents/action_log.html",
        {
            "board": board,
            "actions": actions,
            "updated_on": updated_on,
            "filters": filters or [],
            "total": total if total is not None else len(actions),
            "generated_on": timezone.localdate(),
        },
    )
    return html_to_pdf(html)


# ---------------------------------------------------------------------------------------------
# Word: real headings and a real table, so the secretary can go on editing it
# ---------------------------------------------------------------------------------------------


def _fmt_date(d: datetime.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _fmt_time(t: datetime.time) -> str:
    return f"{t:%H:%M}"


def _person_line(a: Attendance) -> str:
    text = a.person.label
    if a.deputising_for_id:
        text += f", attending for {a.deputising_for}"
    if a.note:
        text += f" ({a.note})"
    return text


def _word_field(run, instruction: str) -> None:
    """Put a field (PAGE, NUMPAGES) in a run; Word and LibreOffice fill it in as they lay out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.extend([begin, text, end])


def minutes_docx(pack: MeetingPack) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    meeting = pack.meeting
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header.paragraphs[0].text = pack.board.name
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _word_field(footer.add_run(), "PAGE")
    footer.add_run(" of ")
    _word_field(footer.add_run(), "NUMPAGES")
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = f"Minutes: {pack.board.name}, {_fmt_date(meeting.date)}"

    doc.add_heading(pack.board.name, level=0)
    doc.add_heading(f"Minutes: {_fmt_date(meeting.date)}", level=1)
    when = f"{_fmt_time(meeting.start_time)}–{_fmt_time(meeting.end_time)}"
    where = ", ".join(x for x in (meeting.place, meeting.online_link) if x)
    doc.add_paragraph(f"{when}{', ' + where if where else ''}")

    doc.add_heading("Present", level=2)
    for a in pack.present:
        doc.add_paragraph(_person_line(a), style="List Bullet")
    if not pack.present:
        doc.add_paragraph("Not recorded.")
    if pack.guests:
        doc.add_heading("Guests", level=2)
        for a in pack.guests:
            doc.add_paragraph(_person_line(a), style="List Bullet")
    doc.add_heading("Apologies", level=2)
    if pack.apologies:
        for a in pack.apologies:
            doc.add_paragraph(_person_line(a), style="List Bullet")
    else:
        doc.add_paragraph("None.")

    for s in pack.items:
        item = s.item
        doc.add_heading(f"Item {s.number}: {item.title}", level=2)
        for para in (item.notes or "").split("\n"):
            if para.strip():
                doc.add_paragraph(para.strip())
        if item.decisions.strip():
            p = doc.add_paragraph()
            p.add_run("Decisions: ").bold = True
            p.add_run(item.decisions.strip())
        for action in s.actions:
            p = doc.add_paragraph()
            p.add_run(f"Action {action.number}: ").bold = True
            p.add_run(f"{action.text} ({action.responsible_label()})")

    doc.add_heading("Future agenda items", level=2)
    if pack.topics:
        for t in pack.topics:
            doc.add_paragraph(t.title, style="List Bullet")
    else:
        doc.add_paragraph("None proposed.")
    doc.add_heading("Upcoming meetings", level=2)
    if pack.upcoming:
        for m in pack.upcoming:
            line = f"{_fmt_date(m.date)}: {_fmt_time(m.start_time)}–{_fmt_time(m.end_time)}"
            doc.add_paragraph(line + (f", {m.place}" if m.place else ""), style="List Bullet")
    else:
        doc.add_paragraph("None scheduled yet.")

    doc.add_heading("Action log", level=1)
    if pack.log_updated_on:
        doc.add_paragraph(f"This action log was updated on {_fmt_date(pack.log_updated_on)}.")
    if pack.log_total:
        doc.add_paragraph(log_cut_note(pack))
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, label in zip(header.cells, ("Action", "Text", "Responsible", "Date issued", "Status")):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    # Word repeats a header row on every page only when it is marked so.
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for action in pack.action_log:
        cells = table.add_row().cells
        cells[0].text = str(action.number)
        cells[1].text = action.text
        cells[2].text = action.responsible_label()
        cells[3].text = f"{action.issued_on:%b %Y}"
        status = action.get_status_display()
        cells[4].text = f"{status} ({action.status_note})" if action.status_note else status
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(1.5), Cm(9.0), Cm(2.4), Cm(2.1), Cm(2.0))):
            cell.width = width

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# iCalendar: one event per meeting, stable UIDs so a subscribed calendar moves a moved meeting
# ---------------------------------------------------------------------------------------------


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
    cal.add("x-wr-calname", board.name)
    cal.add("x-wr-timezone", "Europe/London")
    for m in meetings:
        event = Event()
        event.add("uid", meeting_uid(m))
        event.add("summary", m.title or f"{board.short_name or board.name} meeting")
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
            event.add("location", m.place or m.online_link)
        description = [f"{board.name}: {m.get_status_display().lower()}.", f"Meeting page: {url}"]
        if m.online_link:
            description.append(f"Join online: {m.online_link}")
        event.add("description", "\n".join(description))
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
