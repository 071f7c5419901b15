"""The minutes read like the board's own: what was typed is printed, paragraph by paragraph, people
with their roles and organisations, and Word carries what the PDF carries (read back through
LibreOffice, as an office suite opens it)."""

import datetime
import io
import re
import subprocess

import docx
import pytest
from django.urls import reverse

from actions.models import Status
from actions.services import action_progress_add, action_raise
from documents import data, pdf
from documents.tests.test_meeting_documents import assert_in_order, flat, make_meeting, pdf_pages, person
from documents.tests.test_meeting_documents import meeting as meeting  # the fixture
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Membership,
    MinutesLog,
    Person,
    Purpose,
    Role,
)


def url(name, meeting):
    return reverse(f"documents:{name}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk})


def word_paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def pdftotext(content: bytes) -> str:
    """The text as poppler lays it out: a table row short enough to fit stays on one line."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def seats(board, chair, secretary, meeting):
    """The officers present with the seats the documents print."""
    colin, sally = Person.objects.get(user=chair), Person.objects.get(user=secretary)
    Membership.objects.filter(person=colin).update(role_label="CHAIR Kent")
    Person.objects.filter(pk=sally.pk).update(job_title="SESLIP consultant", organisation="SESLIP")
    vera = person("VV", "Vera Vice", "PACT")
    Person.objects.filter(pk=vera.pk).update(job_title="Service director")
    Membership.objects.create(board=board, person=vera, role=Role.VICE_CHAIR)
    for p in (colin, sally, vera):
        Attendance.objects.create(meeting=meeting, person=p, status=AttendanceStatus.PRESENT)
    item = meeting.items.get(position=5)
    item.description = "Topics suggested at previous meetings.\nAnything urgent from members."
    item.save()
    return meeting


def test_it_prints_descriptions_leads_purposes_and_paragraphs_in_pdf_and_word(client, secretary, seats):
    meeting = seats
    client.force_login(secretary)
    text = flat("".join(pdf_pages(client.get(url("meeting-minutes-pdf", meeting)).content)))
    body = word_paragraphs(client.get(url("meeting-minutes-docx", meeting)).content)
    assert_in_order(
        text,
        "Item 2: Adoption breakdown analysis",
        "Lead: Priya Patel · Discussion",
        "PP presented five years of data.",
        "Item 3: Regional adopter sufficiency",
        "Lead: Head of Service, Surrey · Decision",
        "Item 4: Any other business",
        "Information",
        "Topics suggested at previous meetings.",
        "Anything urgent from members.",
    )
    # Each typed line is its own paragraph in Word and in the PDF's HTML.
    for line in ("PP presented five years of data.", "Disruption averaged 2%.", "Anything urgent from members."):
        assert line in body
    html = pdf.minutes_html(data.meeting_pack(meeting))
    assert "<p>PP presented five years of data.</p>" in html and "<p>Disruption averaged 2%.</p>" in html
    assert '<p class="item-desc">Anything urgent from members.</p>' in html
    assert "Lead: Priya Patel · Discussion" in body and "Information" in body


def test_it_prints_attendees_with_their_roles_and_organisations_officers_first(client, secretary, seats):
    meeting = seats
    client.force_login(secretary)
    text = flat("".join(pdf_pages(client.get(url("meeting-minutes-pdf", meeting)).content)))
    body = word_paragraphs(client.get(url("meeting-minutes-docx", meeting)).content)
    expected = [
        "Colin Chair, CHAIR Kent (Test Council)",
        "Vera Vice, Vice chair (Service director, PACT)",
        "Sally Secretary (SESLIP consultant)",
        "Jo Okafor (Surrey), attending for Mary Member",
        "Priya Patel (Kent)",
    ]
    assert_in_order(text, "Present", *expected, "Apologies", "Mary Member (Test Council)")
    assert body[body.index("Present") + 1 : body.index("Present") + 6] == expected


def test_word_properties_name_the_board_and_the_meeting(client, secretary, meeting):
    client.force_login(secretary)
    props = docx.Document(io.BytesIO(client.get(url("meeting-minutes-docx", meeting)).content)).core_properties
    assert props.author == props.last_modified_by == "Test Region Adoption Leadership Board"
    assert props.title == "Minutes: 17 July 2024 — Test Region Adoption Leadership Board"
    assert "python-docx" not in f"{props.author}{props.title}{props.comments}{props.subject}{props.last_modified_by}"


def test_a_board_may_print_only_what_the_meeting_dealt_with(client, secretary, board, meeting):
    jo = meeting.old_action.people[0]
    earlier = meeting.old_action.meeting
    Meeting.objects.filter(pk=earlier.pk).update(status=MeetingStatus.HELD)  # its minutes not yet approved
    earlier.refresh_from_db()
    closed_before = action_raise(board=board, text="Closed before the meeting", responsible=[jo], meeting=earlier)
    action_progress_add(action=closed_before, expected_version=1, status=Status.CLOSED, meeting=earlier, note="x")
    closed_here = action_raise(board=board, text="Closed at the meeting", responsible=[jo], meeting=earlier)
    action_progress_add(action=closed_here, expected_version=1, status=Status.CLOSED, meeting=meeting, note="Done")
    client.force_login(secretary)

    whole = flat("".join(pdf_pages(client.get(url("meeting-minutes-pdf", meeting)).content)))
    assert "Closed before the meeting" in whole and "Closed at the meeting" in whole

    type(board).objects.filter(pk=board.pk).update(minutes_log=MinutesLog.MEETING)
    part = flat("".join(pdf_pages(client.get(url("meeting-minutes-pdf", meeting)).content)))
    document = docx.Document(io.BytesIO(client.get(url("meeting-minutes-docx", meeting)).content))
    word = "\n".join(c.text for row in document.tables[0].rows for c in row.cells)
    for text in (part, word):
        assert "Closed before the meeting" not in text
        for shown in ("Closed at the meeting", "Benchmark kinship allowances", "Build 2-3% disruption"):
            assert shown in text
    assert "The actions open at this meeting, and those raised or updated at it." in part


@pytest.fixture
def short_meeting(board, secretary):
    """Minutes whose log rows are short enough to stay on one line in any layout."""
    m = make_meeting(board, datetime.date(2025, 4, 9), place="Online", status=MeetingStatus.HELD)
    pat = person("PT", "Pat Tee", "Kent")
    Attendance.objects.create(meeting=m, person=pat, status=AttendanceStatus.PRESENT)
    first = AgendaItem.objects.create(meeting=m, position=1, title="Welcome", is_standing=True, notes="All welcomed.")
    second = AgendaItem.objects.create(
        meeting=m, position=2, title="Data", purpose=Purpose.DISCUSSION, lead=pat, description="Quarterly figures."
    )
    AgendaItem.objects.create(meeting=m, position=3, title="Any other business", is_closing=True)
    action_raise(board=board, text="Send the data pack", responsible=[pat], item=second)
    action_raise(board=board, text="Book the room", whole_board=True, item=first)
    return m


def test_the_word_minutes_open_in_libreoffice_with_the_pdfs_headings_and_log_table(
    client, secretary, short_meeting, tmp_path
):
    client.force_login(secretary)
    weasy = client.get(url("meeting-minutes-pdf", short_meeting)).content
    word = client.get(url("meeting-minutes-docx", short_meeting)).content
    source = tmp_path / "minutes.docx"
    source.write_bytes(word)
    subprocess.run(
        [
            "/usr/bin/soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    office = (tmp_path / "minutes.pdf").read_bytes()
    document = docx.Document(io.BytesIO(word))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        "Test Region Adoption Leadership Board",
        "Minutes: 9 April 2025",
        "Present",
        "Apologies",
        "Item 1: Welcome",
        "Item 2: Data",
        "Item 3: Any other business",
        "Future agenda items",
        "Upcoming meetings",
        "Action log",
    ]
    rows = [" ".join(c.text for c in row.cells) for row in document.tables[0].rows]
    assert rows == [
        "No. Action Responsible Date issued Status",
        "2 Book the room all Apr 2025 Open",
        "1 Send the data pack PT Apr 2025 Open",
    ]
    for content in (office, weasy):
        lines = [re.sub(r"\s+", " ", line).strip() for line in pdftotext(content).splitlines()]
        text = "\n".join(lines)
        assert_in_order(text, *headings)
        # The log table: its header row, then every row, each read back on one line.
        at = lines.index(rows[0])
        assert [line for line in lines[at + 1 :] if line][: len(rows) - 1] == rows[1:]
        assert_in_order(text, "Lead: Pat Tee · Discussion", "Quarterly figures.", "Action 1: Send the data pack (PT)")
