"""The chair's documents: agenda and minutes as PDF and Word, the action log as PDF, the calendar feed.

Each document is read back with the library a user's tool would use (pypdf, python-docx,
icalendar) and checked for what it says and in which order.
"""

import datetime
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import docx
import icalendar
import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Status
from actions.services import action_progress_add, action_raise
from adoptboard.concurrency import save_if_unchanged
from documents import data
from documents import pdf as exports
from documents.models import LogExport
from documents.word import DOCX
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Membership,
    Paper,
    Person,
    Purpose,
    Role,
    Topic,
)
from meetings.services import decisions_sync

LONDON = ZoneInfo("Europe/London")


# --- helpers ---------------------------------------------------------------------------------


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    """PDF text with line breaks and runs of spaces folded, so wrapped phrases still match."""
    return re.sub(r"\s+", " ", text)


def assert_in_order(text: str, *needles: str) -> None:
    at = 0
    for needle in needles:
        found = text.find(needle, at)
        assert found >= 0, f"{needle!r} missing (or out of order) in: …{text[at : at + 400]}"
        at = found + len(needle)


def words_off_page(content: bytes, *, margin_pt: float = 12.0) -> list[str]:
    """Words whose boxes reach into the page's outer `margin_pt` or beyond: text running off the page.

    Uses poppler's `pdftotext -bbox`, which reports every word's box as the PDF draws it.
    """
    out = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    off = []
    html = re.sub(r"<!DOCTYPE[^>]*>", "", out).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    root = ET.fromstring(html)
    for page in root.iter("page"):
        width, height = float(page.get("width")), float(page.get("height"))
        for word in page.iter("word"):
            x0, x1 = float(word.get("xMin")), float(word.get("xMax"))
            y0, y1 = float(word.get("yMin")), float(word.get("yMax"))
            if x0 < margin_pt or x1 > width - margin_pt or y0 < margin_pt or y1 > height - margin_pt:
                off.append(word.text)
    return off


def person(initials, full_name, organisation="Kent"):
    return Person.objects.create(initials=initials, full_name=full_name, organisation=organisation)


def make_meeting(board, date, start=datetime.time(14, 0), end=datetime.time(15, 30), **kw):
    return Meeting.objects.create(board=board, date=date, start_time=start, end_time=end, **kw)


@pytest.fixture
def meeting(board, secretary, chair, member):
    """A held meeting with leads, papers, minutes, actions raised, topics and dates to come."""
    m = make_meeting(board, datetime.date(2024, 7, 17), place="County Hall, Maidstone", status=MeetingStatus.HELD)
    priya = person("PP", "Priya Patel", "Kent")
    jo = person("JO", "Jo Okafor", "Surrey")
    for p in (priya, jo):
        Membership.objects.create(board=board, person=p, role=Role.MEMBER)
    mary = Person.objects.get(user=member)
    Attendance.objects.create(meeting=m, person=priya, status=AttendanceStatus.PRESENT)
    Attendance.objects.create(meeting=m, person=mary, status=AttendanceStatus.APOLOGIES)
    Attendance.objects.create(meeting=m, person=jo, status=AttendanceStatus.PRESENT, deputising_for=mary)
    earlier = make_meeting(board, datetime.date(2024, 4, 17), status=MeetingStatus.HELD)
    old = action_raise(
        board=board, text="Benchmark kinship allowances across the region", responsible=[jo], meeting=earlier
    )
    Meeting.objects.filter(pk=earlier.pk).update(status=MeetingStatus.APPROVED)  # approved at a later meeting
    items = [
        AgendaItem.objects.create(
            meeting=m, position=1, title="Welcome and apologies", duration_minutes=10, is_standing=True
        ),
        AgendaItem.objects.create(
            meeting=m,
            position=2,
            title="Adoption breakdown analysis",
            lead=priya,
            duration_minutes=40,
            purpose=Purpose.DISCUSSION,
            notes="PP presented five years of data.\nDisruption averaged 2%.",
            decisions="The board agreed to note the report.",
        ),
        AgendaItem.objects.create(
            meeting=m,
            position=3,
            title="Regional adopter sufficiency",
            lead_text="Head of Service, Surrey",
            duration_minutes=25,
            purpose=Purpose.DECISION,
            notes="Recruitment is steady in the South East.",
        ),
        AgendaItem.objects.create(
            meeting=m, position=4, title="Item removed before the day", duration_minutes=60, removed_at=timezone.now()
        ),
        AgendaItem.objects.create(
            meeting=m, position=5, title="Any other business", duration_minutes=5, is_standing=True
        ),
    ]
    Paper.objects.create(item=items[1], title="Annex A: disruption data 2019-2024", file="papers/a.pdf")
    decisions_sync(item=items[1])  # the decisions register's row, as saving the minutes makes it
    raised = action_raise(
        board=board, text="Build 2-3% disruption into performance monitoring", whole_board=True, item=items[1]
    )
    Topic.objects.create(board=board, title="Post order direct contact", proposed_on=datetime.date(2024, 2, 1))
    make_meeting(board, datetime.date(2024, 10, 16))
    make_meeting(board, datetime.date(2025, 1, 22), start=datetime.time(10, 0), end=datetime.time(11, 30))
    m.old_action, m.raised_action = old, raised
    return m


def url(name, meeting, **kw):
    app = "documents" if name.endswith(("-pdf", "-docx")) else "meetings"
    return reverse(f"{app}:{name}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk, **kw})


# --- agenda ----------------------------------------------------------------------------------


def test_it_lays_out_the_agenda_with_times_leads_actions_and_dates_in_order(client, member, meeting):
    client.force_login(member)
    response = client.get(url("meeting-agenda-pdf", meeting))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="test-alb-agenda-2024-07-17.pdf"' in response["Content-Disposition"]
    text = flat("\n".join(pdf_pages(response.content)))
    assert_in_order(
        text,
        "Test Region Adoption Leadership Board",
        "Agenda",
        "Date Wednesday 17 July 2024",
        "Chair Colin Chair (Test Council)",
        "Supported by Sally Secretary",
        "Place County Hall, Maidstone",
        "Invited",
        "Priya Patel (Kent)",
        "Apologies",
        "Mary Member",
        # Start times: 14:00 + 10 + 40 + 25 minutes; the removed item takes no time.
        "1 14:00 Welcome and apologies",
        "2 14:10 Adoption breakdown analysis",
        "Annex A: disruption data 2019-2024",
        "Priya Patel",
        "Discussion",
        "3 14:50 Regional adopter sufficiency",
        "Head of Service, Surrey",
        "4 15:15 Any other business",
        "Open actions",
        f"{meeting.old_action.number} Benchmark kinship allowances",
        "Dates of next meetings",
        "Wednesday 16 October 2024",
        "Wednesday 22 January 2025 10:00–11:30",
    )
    assert "Item removed before the day" not in text
    assert "Jo Okafor (Surrey), attending for Mary Member" in text
    # The action raised at this meeting is not yet on its agenda's log.
    assert "Build 2-3% disruption" not in text
    assert "Page 1 of" in text


# Actions as the seed's log writes them: one to three lines each.
SEED_ACTIONS = [
    "Group to build into their own performance monitoring/reflections that one or two per RAA/2-3% feels the right proportion of disruptions.",
    "MH said if DCSs are asked then our position is we are conflicted/mixed in respect of our views on changes to the 3-year rule.",
    "KY asked MH to flag with DCSs the need for LAs to work more closely with RAAs to improve quality of data.",
    "KY noted there was a project on case management systems and KY to keep group updated on that.",
    "Discussion on strengthening policy/practice regarding birth families. What is good practice, how might we share it? "
    "Idea of online conference? Discuss on Oct agenda",
    "Review whether new ALB is working after Jan 2025 meeting (1 year)",
    "RE MH and LH to meet to review terms of reference, meeting dates to align with operational regional meeting and "
    "resolve membership and oversight of Kinship (meeting with Sarah Daly to agree)",
    "Refresh the membership list in ToR (done) get a new rep for Slough (to do)",
    "RE to set up buddying scheme to pair up SG practitioners from different LAs to share practice",
    "MH to raise issue of contact/family time at national board as a task to consider nationally",
]


def test_it_fits_twelve_items_and_twenty_open_actions_on_three_pages_without_cutting_rows(client, secretary, board):
    m = make_meeting(board, datetime.date(2024, 11, 20), place="Civic Offices, Reading")
    lead = person("TR", "Teresa Rogers", "Adopt Thames Valley")
    for n in range(1, 13):
        AgendaItem.objects.create(
            meeting=m,
            position=n,
            title=f"Regional performance report {n}: adopter sufficiency and timeliness",
            lead=lead,
            duration_minutes=10,
            purpose=Purpose.DISCUSSION,
            description="Paper circulated with the agenda; the board is asked to note the findings.",
        )
    earlier = make_meeting(board, datetime.date(2024, 1, 10))
    for n in range(20):
        action_raise(
            board=board,
            meeting=earlier,
            responsible=[lead],
            status_note="due at the next meeting" if n % 4 else "",
            text=f"Marker{n:02d}: {SEED_ACTIONS[n % len(SEED_ACTIONS)]}",
        )
    client.force_login(secretary)
    content = client.get(url("meeting-agenda-pdf", m)).content
    pages = [flat(p) for p in pdf_pages(content)]
    assert len(pages) <= 3
    # No row cut across a page: each action's number, its text's last words and its status share one page.
    for n in range(20):
        [page] = [p for p in pages if f"Marker{n:02d}" in p]
        ending = "".join(SEED_ACTIONS[n % len(SEED_ACTIONS)].split()[-3:])
        assert ending in page.replace(" ", "")
    assert words_off_page(content) == []


def test_it_breaks_long_words_rather_than_run_off_the_page(client, secretary, board):
    m = make_meeting(board, datetime.date(2024, 11, 20))
    AgendaItem.objects.create(meeting=m, position=1, title="Z" * 300, lead_text="W" * 120)
    action_raise(
        board=board,
        text="https://example.org/" + "y" * 250,
        whole_board=True,
        meeting=make_meeting(board, datetime.date(2024, 1, 1)),
    )
    client.force_login(secretary)
    content = client.get(url("meeting-agenda-pdf", m)).content
    assert words_off_page(content) == []


def test_it_prints_user_text_as_text_not_html(client, secretary, board):
    m = make_meeting(board, datetime.date(2024, 11, 20))
    AgendaItem.objects.create(
        meeting=m,
        position=1,
        title='<b>Bold</b> <img src="http://203.0.113.9/track.png"> & co',
        description='<link rel="stylesheet" href="file:///etc/passwd">',
    )
    client.force_login(secretary)
    text = flat("".join(pdf_pages(client.get(url("meeting-agenda-pdf", m)).content)))
    squeezed = text.replace(" ", "")  # a long URL may wrap after a slash
    assert '<b>Bold</b><imgsrc="http://203.0.113.9/track.png">&co' in squeezed
    assert '<linkrel="stylesheet"href="file:///etc/passwd">' in squeezed


@pytest.mark.parametrize(
    "address",
    [
        "http://203.0.113.9/x.png",
        "file:///etc/passwd",
        "https://adoptboard.invalid/static/../adoptboard/settings.py",
        "https://adoptboard.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://adoptboard.invalid/media/papers/a.pdf",
        "https://adoptboard.invalid/static/css/nothing-here.css",
        "data:text/css,body{}",
    ],
)
def test_it_refuses_every_url_but_our_static_files(address):
    assert exports.static_file_for(address) is None
    fetcher = exports._url_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(address)


def test_it_finds_collected_static_files_behind_a_cdn_static_url(settings, tmp_path):
    settings.STATIC_URL = "https://cdn.example.org/assets/"
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "documents.0123abcd.css").write_text("@page { size: A4 }")
    assert (
        exports.static_file_for("https://cdn.example.org/assets/css/documents.0123abcd.css")
        == tmp_path / "css" / "documents.0123abcd.css"
    )
    assert exports.static_file_for("https://adoptboard.invalid/assets/css/documents.0123abcd.css") is None
    assert exports.static_file_for("https://cdn.example.org/assets/../secret.txt") is None


def test_it_serves_its_own_stylesheet_to_weasyprint():
    response = exports._url_fetcher().fetch("https://adoptboard.invalid/static/css/documents.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize("document", ["meeting-agenda-pdf", "meeting-minutes-pdf", "meeting-minutes-docx"])
def test_it_keeps_queries_constant_however_many_items_and_actions(
    client, secretary, board, django_assert_num_queries, document
):
    lead = person("QL", "Quinn Lead")
    earlier = make_meeting(board, datetime.date(2024, 1, 10))

    def fill(m, items, actions):
        for n in range(items):
            item = AgendaItem.objects.create(meeting=m, position=n, title=f"Item {n}", lead=lead)
            Paper.objects.create(item=item, title=f"Paper {n}", file="papers/p.pdf")
            action_raise(board=board, text=f"Raised at item {n}", responsible=[lead], item=item)
        for n in range(actions):
            action_raise(board=board, text=f"Open action {n}", responsible=[lead], meeting=earlier)

    small = make_meeting(board, datetime.date(2024, 3, 1))
    fill(small, 1, 1)
    client.force_login(secretary)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(document, small)).status_code == 200
    big = make_meeting(board, datetime.date(2024, 6, 1))
    fill(big, 12, 20)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url(document, big)).status_code == 200


# --- minutes ---------------------------------------------------------------------------------


def test_it_writes_the_minutes_in_the_shape_of_the_seed(client, secretary, meeting):
    client.force_login(secretary)
    response = client.get(url("meeting-minutes-pdf", meeting))
    assert response.status_code == 200
    text = flat("\n".join(pdf_pages(response.content)))
    raised = meeting.raised_action
    assert_in_order(
        text,
        "Test Region Adoption Leadership Board",
        "Minutes",
        "Wednesday 17 July 2024",
        "Present",
        "Jo Okafor (Surrey), attending for Mary Member",
        "Priya Patel (Kent)",
        "Apologies",
        "Mary Member (Test Council)",
        "Item 1: Welcome and apologies",
        "Item 2: Adoption breakdown analysis",
        "PP presented five years of data.",
        "Disruption averaged 2%.",
        "Decision: The board agreed to note the report.",
        f"Action {raised.number}: Build 2-3% disruption into performance monitoring (all)",
        "Item 3: Regional adopter sufficiency",
        "Item 4: Any other business",
        "Future agenda items",
        "Post order direct contact",
        "Upcoming meetings",
        "Wednesday 16 October 2024",
        "Action log",
        "This action log was updated on",
        f"{raised.number} Build 2-3% disruption",
        "all Jul 2024",
        f"{meeting.old_action.number} Benchmark kinship allowances",
        "JO Apr 2024 Open",
    )


def test_it_writes_minutes_in_word_with_real_headings_and_a_real_action_table(client, secretary, meeting):
    client.force_login(secretary)
    response = client.get(url("meeting-minutes-docx", meeting))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == 'attachment; filename="test-alb-minutes-2024-07-17.docx"'
    document = docx.Document(io.BytesIO(response.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        ("Title", "Test Region Adoption Leadership Board"),
        ("Heading 1", "Minutes: 17 July 2024"),
        ("Heading 2", "Present"),
        ("Heading 2", "Apologies"),
        ("Heading 2", "Item 1: Welcome and apologies"),
        ("Heading 2", "Item 2: Adoption breakdown analysis"),
        ("Heading 2", "Item 3: Regional adopter sufficiency"),
        ("Heading 2", "Item 4: Any other business"),
        ("Heading 2", "Future agenda items"),
        ("Heading 2", "Upcoming meetings"),
        ("Heading 2", "Action log"),
    ]
    body = [p.text for p in document.paragraphs]
    assert "Jo Okafor (Surrey), attending for Mary Member" in body
    assert f"Action {meeting.raised_action.number}: Build 2-3% disruption into performance monitoring (all)" in body
    assert any(t.startswith("This action log was updated on ") for t in body)
    [table] = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["No.", "Action", "Responsible", "Date issued", "Status"]
    assert rows[1:] == [
        [
            str(meeting.raised_action.number),
            "Build 2-3% disruption into performance monitoring",
            "all",
            "Jul 2024",
            "Open",
        ],
        [str(meeting.old_action.number), "Benchmark kinship allowances across the region", "JO", "Apr 2024", "Open"],
    ]
    assert len(table.rows) == 1 + Action.objects.filter(board=meeting.board).count()
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Test Region Adoption Leadership Board"
    assert section.footer.paragraphs[0].text == "Page  of "  # PAGE and NUMPAGES fields between
    assert [t.text for t in section.footer._element.xpath(".//w:instrText")] == [" PAGE ", " NUMPAGES "]
    # The header row repeats on every page Word or LibreOffice lays out.
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")


def test_it_cuts_a_long_log_in_the_minutes_to_what_the_meeting_dealt_with(client, secretary, meeting, monkeypatch):
    monkeypatch.setattr(data, "MINUTES_FULL_LOG_MAX", 3)
    jo, earlier = meeting.old_action.people[0], meeting.old_action.meeting
    Meeting.objects.filter(pk=earlier.pk).update(status=MeetingStatus.HELD)  # its minutes not yet approved
    earlier.refresh_from_db()
    gone = action_raise(board=meeting.board, text="Refresh the terms of reference", responsible=[jo], meeting=earlier)
    action_progress_add(
        action=gone, expected_version=gone.version, status=Status.CLOSED, note="Done in May", meeting=earlier
    )
    done_here = action_raise(
        board=meeting.board, text="Circulate the sufficiency paper", responsible=[jo], meeting=earlier
    )
    action_progress_add(
        action=done_here, expected_version=done_here.version, status=Status.CLOSED, note="Circulated", meeting=meeting
    )
    client.force_login(secretary)
    pdf = flat("".join(pdf_pages(client.get(url("meeting-minutes-pdf", meeting)).content)))
    words = docx.Document(io.BytesIO(client.get(url("meeting-minutes-docx", meeting)).content))
    word = "\n".join(
        [p.text for p in words.paragraphs] + [c.text for t in words.tables for r in t.rows for c in r.cells]
    )
    note = "The log held 4 actions at this meeting; these 3 are the ones still open and those raised or updated at the meeting."
    for text in (pdf, word):
        assert note in flat(text)
        # Open, raised at the meeting, closed at the meeting: printed. Closed at an earlier one: not.
        for shown in ("Benchmark kinship allowances", "Build 2-3% disruption", "Circulate the sufficiency paper"):
            assert shown in text
        assert "Refresh the terms of reference" not in text


def test_it_keeps_draft_minutes_from_members_until_circulated(client, member, secretary, meeting):
    client.force_login(member)
    for name in ("meeting-minutes-pdf", "meeting-minutes-docx"):
        assert client.get(url(name, meeting)).status_code == 404
    assert client.get(url("meeting-agenda-pdf", meeting)).status_code == 200
    page = client.get(meeting.get_absolute_url())
    assert b"minutes.pdf" not in page.content

    meeting.minutes_circulated_at = timezone.now()
    meeting.save()
    for name in ("meeting-minutes-pdf", "meeting-minutes-docx"):
        assert client.get(url(name, meeting)).status_code == 200


def test_it_shows_approved_minutes_to_members(client, member, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.APPROVED, approved_at=timezone.now())
    client.force_login(member)
    assert client.get(url("meeting-minutes-pdf", meeting)).status_code == 200


def test_it_gives_editors_draft_minutes(client, chair, meeting):
    client.force_login(chair)
    assert client.get(url("meeting-minutes-pdf", meeting)).status_code == 200


@pytest.mark.parametrize("name", ["meeting-agenda-pdf", "meeting-minutes-pdf", "meeting-minutes-docx"])
def test_it_hides_every_meeting_document_from_outsiders(client, outsider, meeting, name):
    client.force_login(outsider)
    assert client.get(url(name, meeting)).status_code == 404


def test_it_hides_the_feed_and_log_from_outsiders(client, outsider, board):
    client.force_login(outsider)
    assert client.get(reverse("documents:board-calendar", kwargs={"slug": board.slug})).status_code == 404
    assert client.get(reverse("documents:action-export-pdf", kwargs={"slug": board.slug})).status_code == 404


def test_it_sends_anonymous_users_to_log_in(client, meeting):
    response = client.get(url("meeting-agenda-pdf", meeting))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_answers_post_with_405(client, secretary, meeting):
    client.force_login(secretary)
    assert client.post(url("meeting-agenda-pdf", meeting)).status_code == 405


# --- action log ------------------------------------------------------------------------------


def test_it_exports_the_filtered_action_log_as_a_landscape_pdf(client, member, board, meeting):
    done = action_raise(
        board=board,
        text="Refresh the terms of reference",
        responsible=[meeting.old_action.people[0]],
        meeting=meeting,
        status=Status.COMPLETE,
        status_note="done in May",
    )
    client.force_login(member)
    export = reverse("documents:action-export-pdf", kwargs={"slug": board.slug})
    response = client.get(export)
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height
    text = flat("".join(p.extract_text() for p in reader.pages))
    assert_in_order(
        text,
        "Action log",
        "This action log was updated on",
        f"{done.number} Refresh the terms of reference",
        "Complete done in May",
        f"{meeting.raised_action.number} Build 2-3% disruption",
        f"{meeting.old_action.number} Benchmark kinship allowances",
    )
    only_open = flat("".join(pdf_pages(client.get(export, {"status": "open"}).content)))
    assert "Refresh the terms of reference" not in only_open
    assert "Benchmark kinship allowances" in only_open
    searched = flat("".join(pdf_pages(client.get(export, {"q": "kinship"}).content)))
    assert "Benchmark kinship allowances" in searched
    assert "Build 2-3% disruption" not in searched


def test_it_names_the_filters_and_refuses_bad_ones(client, member, board, meeting):
    action_raise(
        board=board, text="Write to the DCS group", responsible=[Person.objects.get(user=member)], meeting=meeting
    )
    client.force_login(member)
    export = reverse("documents:action-export-pdf", kwargs={"slug": board.slug})
    jo = meeting.old_action.people[0]
    text = flat(
        "".join(pdf_pages(client.get(export, {"responsible": jo.pk, "status": ["open", "in_progress"]}).content))
    )
    # Jo answers for the action named on them and, as a member, for the whole board's.
    assert "Showing: Status: Open, In progress; Responsible: Jo Okafor (2 actions)." in text
    assert "Benchmark kinship allowances" in text
    assert "Build 2-3% disruption" in text
    assert "Write to the DCS group" not in text
    assert client.get(export, {"status": "nonsense"}).status_code == 400
    assert client.get(export, {"issued_from": "not a date"}).status_code == 400


def test_a_log_past_the_cap_is_printed_whole_in_the_background(
    client, member, board, meeting, monkeypatch, django_capture_on_commit_callbacks
):
    # It used to be cut to the newest rows; now a task prints it all (documents/tests/test_log_export.py).
    from documents import views as views_documents

    monkeypatch.setattr(views_documents, "ACTION_LOG_PDF_MAX_ROWS", 1)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("documents:action-export-pdf", kwargs={"slug": board.slug}))
    assert response.status_code == 302
    export = LogExport.objects.get()
    text = flat("".join(pdf_pages(b"".join(client.get(export.file.url).streaming_content))))
    assert "This PDF lists the newest" not in text
    assert "Build 2-3% disruption" in text
    assert "Benchmark kinship allowances" in text


# --- calendar --------------------------------------------------------------------------------


def test_it_publishes_meetings_as_a_calendar_in_london_time(client, member, board, meeting):
    winter = make_meeting(
        board,
        datetime.date(2025, 2, 5),
        start=datetime.time(10, 0),
        end=datetime.time(11, 30),
        online_link="https://meet.example.org/alb",
    )
    client.force_login(member)
    response = client.get(reverse("documents:board-calendar", kwargs={"slug": board.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    events = {e["UID"]: e for e in cal.walk("VEVENT")}
    assert len(events) == board.meetings.count()

    summer = events[f"meeting-{meeting.pk}@adoptboard"]
    start = summer.decoded("DTSTART")
    assert start == datetime.datetime(2024, 7, 17, 14, 0, tzinfo=LONDON)
    # British Summer Time: 14:00 in London is 13:00 UTC.
    assert start.astimezone(datetime.UTC).hour == 13
    assert summer["DTSTART"].params["TZID"] == "Europe/London"
    assert summer.decoded("DTEND") == datetime.datetime(2024, 7, 17, 15, 30, tzinfo=LONDON)
    assert str(summer["LOCATION"]) == "County Hall, Maidstone"
    assert str(summer["URL"]) == f"http://testserver{meeting.get_absolute_url()}"

    feb = events[f"meeting-{winter.pk}@adoptboard"]
    assert feb.decoded("DTSTART").astimezone(datetime.UTC).hour == 10
    assert str(feb["LOCATION"]) == "https://meet.example.org/alb"


def test_it_moves_a_moved_meeting_in_subscribed_calendars(client, secretary, board, meeting):
    client.force_login(secretary)
    feed = reverse("documents:board-calendar", kwargs={"slug": board.slug})
    uid = f"meeting-{meeting.pk}@adoptboard"
    before = {e["UID"]: e for e in icalendar.Calendar.from_ical(client.get(feed).content).walk("VEVENT")}[uid]

    meeting.date = datetime.date(2024, 7, 24)
    save_if_unchanged(meeting, expected_version=meeting.version, fields=["date"])

    after = {e["UID"]: e for e in icalendar.Calendar.from_ical(client.get(feed).content).walk("VEVENT")}[uid]
    assert after.decoded("DTSTART") == datetime.datetime(2024, 7, 24, 14, 0, tzinfo=LONDON)
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_it_lets_a_calendar_app_subscribe_with_the_members_private_link(client, member, board, meeting):
    from documents.views import calendar_token

    feed = reverse("documents:board-calendar", kwargs={"slug": board.slug})
    token = calendar_token(member, board.slug)
    # A calendar app: no session, only the link.
    response = client.get(feed, {"user": member.pk, "token": token})
    assert response.status_code == 200
    assert f"meeting-{meeting.pk}@adoptboard" in response.content.decode()

    for bad in (
        {"user": member.pk, "token": token[:-1] + ("1" if token[-1] == "0" else "0")},
        {"user": member.pk},
        {"user": "x", "token": token},
        {},
    ):
        response = client.get(feed, bad)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    # The link is for one board only.
    other = reverse("documents:board-calendar", kwargs={"slug": "other-board"})
    assert client.get(other, {"user": member.pk, "token": token}).status_code == 302


def test_it_revokes_subscription_links_with_a_new_password_or_a_lost_seat(client, member, board, meeting):
    from documents.views import calendar_token

    feed = reverse("documents:board-calendar", kwargs={"slug": board.slug})
    token = calendar_token(member, board.slug)
    member.set_password("a-new-long-password")
    member.save()
    assert client.get(feed, {"user": member.pk, "token": token}).status_code == 302

    token = calendar_token(member, board.slug)
    Membership.objects.filter(person__user=member).update(until=datetime.date(2020, 1, 1))
    assert client.get(feed, {"user": member.pk, "token": token}).status_code == 404


def test_it_offers_members_only_the_documents_they_may_open(rf, member, secretary, board, meeting):
    from django.template.loader import render_to_string

    from meetings.permissions import board_for_user

    def buttons(user):
        request = rf.get("/")
        request.user = user
        seen = board_for_user(user, board.slug)
        return render_to_string(
            "documents/_meeting_buttons.html", {"board": seen, "meeting": meeting, "request": request}
        )

    html = buttons(member)
    assert url("meeting-agenda-pdf", meeting) in html
    assert url("meeting-minutes-pdf", meeting) not in html
    assert f"calendar.ics?user={member.pk}&amp;token=" in html
    html = buttons(secretary)
    assert url("meeting-minutes-pdf", meeting) in html
    assert url("meeting-minutes-docx", meeting) in html


def test_it_puts_the_download_buttons_on_the_meeting_page_and_the_log(client, member, board, meeting):
    client.force_login(member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert url("meeting-agenda-pdf", meeting) in page
    assert "calendar.ics?user=" in page
    log = client.get(reverse("actions:action-list", kwargs={"slug": board.slug}), {"status": "open", "page": "1"})
    assert f'{reverse("documents:action-export-pdf", kwargs={"slug": board.slug})}?status=open"' in log.content.decode()


# --- the demo board --------------------------------------------------------------------------


def test_it_renders_every_demo_meetings_documents(client, demo_board):
    client.force_login(demo_board.memberships.get(role=Role.SECRETARY).person.user)
    meetings = list(demo_board.meetings.order_by("date"))
    assert len(meetings) == 4
    for m in meetings:
        for name in ("meeting-agenda-pdf", "meeting-minutes-pdf"):
            response = client.get(url(name, m))
            assert response.status_code == 200
            assert pdf_pages(response.content)
            assert words_off_page(response.content) == []
        assert docx.Document(io.BytesIO(client.get(url("meeting-minutes-docx", m)).content)).tables
    feed = icalendar.Calendar.from_ical(
        client.get(reverse("documents:board-calendar", kwargs={"slug": demo_board.slug})).content
    )
    assert len(feed.walk("VEVENT")) == 4
    log = client.get(reverse("documents:action-export-pdf", kwargs={"slug": demo_board.slug}))
    assert_in_order(flat("".join(pdf_pages(log.content))), "76 Group to build", "59 MH to raise issue")


def test_it_writes_the_demo_february_minutes_like_the_seed(client, demo_board):
    client.force_login(demo_board.memberships.get(role=Role.SECRETARY).person.user)
    feb = demo_board.meetings.get(date=datetime.date(2024, 2, 23))
    text = flat("".join(pdf_pages(client.get(url("meeting-minutes-pdf", feb)).content)))
    assert_in_order(
        text,
        "Friday 23 February 2024, 10:00–11:30",
        "Present",
        "Carole Atkins (Bucks), attending for Sandra Carnell",
        "Apologies",
        "Kevin Yong (Corum)",
        "Item 1: Introductions",
        "Item 2: Analysis of adoption breakdown",
        "Action 75:",
        "Action 76:",
        "Future agenda items",
        "PLO working group report",
        "Upcoming meetings",
        "Wednesday 17 April 2024",
        "Action log",
        "This action log was updated on 17 April 2024",
        "76 Group to build",
        "59 MH to raise issue",
    )
