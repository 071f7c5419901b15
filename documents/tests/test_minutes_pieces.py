"""Minutes with a long action log, printed in pieces (documents/pdf.py minutes_pdf): every row once
and in order, numbered as one document, the running header on the pieces after the first; short
minutes printed whole as before; approval freezes the same pieces."""

import io
import re

import pypdf
import pytest

from actions.tests.test_action_log import make_many
from documents import data, pdf, stamping
from documents.tests.test_meeting_documents import assert_in_order, flat
from documents.tests.test_meeting_documents import meeting as meeting  # the fixture
from meetings import services
from meetings.models import MinutesVersion

PIECE = 25


def _page_number_position(page) -> tuple[float, float]:
    """Where on the page (in points) the "Page N of M" text starts."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip().startswith("Page "):
            x, y = tm[4], tm[5]
            found.append((cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))

    page.extract_text(visitor_text=visit)
    (position,) = found
    return position


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(pdf, "MINUTES_CHUNK_ROWS", PIECE)


def long_log(meeting, count=60) -> list[int]:
    """`count` more actions in the meeting's log (numbers 100 on, issued before the meeting): the
    numbers of all its rows, newest first, as the minutes list them."""
    make_many(meeting.board, count, start=100)
    return [a.number for a in data.meeting_pack(meeting).action_log]


def pages_of(content: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def assert_printed_in_pieces(content: bytes, meeting, numbers: list[int]) -> list[str]:
    pages = pages_of(content)
    text = " ".join(pages)
    # Every row once, in the log's order, across the pieces.
    assert [int(n) for n in re.findall(r"Bulk action (\d+)", text)] == [n for n in numbers if n >= 100]
    # One number a page, counting the whole document (no piece's own "Page 1 of 2").
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert re.findall(r"Page \d+ of \d+", page) == [f"Page {number} of {total}"]
    # The body once; every page of the table under its header row, every page after the first
    # under the running header (board, title) and over the issued date.
    title = data.minutes_title(meeting)
    for heading in ("Present", "Apologies", "Future agenda items", "Upcoming meetings", "Action log"):
        assert len(re.findall(rf"\b{heading}\b", text)) == 1, heading
    for page in pages:
        if "Bulk action" in page:
            assert "No. Action Responsible Date issued Status" in page
    for page in pages[1:]:
        assert meeting.board.name in page and title in page and "Issued 30 November 2026" in page
    return pages


def test_long_minutes_are_printed_in_pieces_numbered_as_one(meeting, small_pieces, monkeypatch):
    numbers = long_log(meeting)
    assert len(numbers) > 2 * PIECE
    pieces = []
    html_to_pdf = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, **kw: pieces.append(kw) or html_to_pdf(html, **kw))

    content = pdf.minutes_pdf(data.meeting_pack(meeting))

    # The body, then the log's table PIECE rows a piece, none numbered by WeasyPrint.
    assert pieces == [{"page_numbers": False}] * 4
    pages = assert_printed_in_pieces(content, meeting, numbers)
    # The annex starts a page: its heading and notes, then its first rows.
    (annex,) = [number for number, page in enumerate(pages) if re.search(r"\bAction log\b", page)]
    assert annex > 0 and "Upcoming meetings" in pages[annex - 1]
    assert_in_order(pages[annex], "Action log", "This action log was updated on", f"Bulk action {numbers[0]}")
    metadata = pypdf.PdfReader(io.BytesIO(content)).metadata
    assert metadata.title == f"{data.minutes_title(meeting)} — {meeting.board.name}"
    assert metadata.author == meeting.board.name


def test_the_stamped_page_number_sits_where_weasyprint_prints_it(meeting, small_pieces):
    long_log(meeting)
    pack = data.meeting_pack(meeting)
    own = pypdf.PdfReader(io.BytesIO(pdf.html_to_pdf(pdf.minutes_html(pack)))).pages[0]
    stamped = pypdf.PdfReader(io.BytesIO(pdf.minutes_pdf(pack))).pages[0]
    assert "Page 1 of" in own.extract_text() and "Page 1 of" in stamped.extract_text()
    assert _page_number_position(stamped) == pytest.approx(_page_number_position(own), abs=0.5)


def test_minutes_within_one_piece_are_printed_whole_as_before(meeting, monkeypatch):
    numbers = long_log(meeting, 20)
    monkeypatch.setattr(pdf, "MINUTES_CHUNK_ROWS", len(numbers))

    def never(*args, **kwargs):
        raise AssertionError("printed in pieces")

    monkeypatch.setattr(stamping, "join_numbered", never)
    pack = data.meeting_pack(meeting)
    assert pages_of(pdf.minutes_pdf(pack)) == pages_of(pdf.html_to_pdf(pdf.minutes_html(pack)))


def test_approving_long_minutes_freezes_them_printed_in_pieces(meeting, secretary, small_pieces):
    numbers = long_log(meeting)
    services.minutes_approve(meeting=meeting, by=secretary)
    version = MinutesVersion.objects.get(meeting=meeting)
    with version.pdf.open("rb") as file:
        pages = assert_printed_in_pieces(file.read(), meeting, numbers)
    assert "Approved on" in pages[0]
