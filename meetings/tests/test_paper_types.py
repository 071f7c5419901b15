"""Papers named .docx or .xlsx must be Word or Excel files inside, not any zip renamed."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Paper
from meetings.services import meeting_schedule, paper_add

pytestmark = pytest.mark.django_db


def docx_bytes() -> bytes:
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Annex A: adopter recruitment figures")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    book = Workbook()
    book.active.append(["Quarter", "Adopters approved"])
    book.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


@pytest.fixture
def item(board, secretary):
    meeting = meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    return meeting.items.get(position=2)


def post_paper(client, item, name: str, content: bytes):
    url = reverse(
        "meetings:paper-add", kwargs={"slug": item.meeting.board.slug, "pk": item.meeting_id, "item_pk": item.pk}
    )
    return client.post(url, {f"paper-{item.pk}-file": SimpleUploadedFile(name, content)})


def field_error(page: str, item) -> str:
    """The text of the error shown with the paper form's file field."""
    match = re.search(rf'<\w+ id="error_\d+_id_paper-{item.pk}-file"[^>]*>\s*<strong>(.*?)</strong>', page, re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("name", "content", "program"),
    [
        ("annex.docx", zip_bytes({"notes.txt": b"a plain zip"}), "Word"),
        ("annex.xlsx", zip_bytes({"notes.txt": b"a plain zip"}), "Excel"),
        ("annex.docx", zip_bytes({"[Content_Types].xml": CONTENT_TYPES}), "Word"),  # no document part
        ("annex.docx", zip_bytes({"word/document.xml": b"<w:document/>"}), "Word"),  # no content types
        ("annex.docx", xlsx_bytes(), "Word"),  # an Excel file renamed
        ("annex.xlsx", docx_bytes(), "Excel"),  # a Word file renamed
        ("annex.docx", b"PK\x03\x04 not a zip at all", "Word"),
    ],
    ids=["zip-docx", "zip-xlsx", "types-only", "part-only", "xlsx-as-docx", "docx-as-xlsx", "broken-zip"],
)
def test_a_zip_named_like_an_office_file_is_refused_next_to_the_field(client, secretary, item, name, content, program):
    client.force_login(secretary)
    response = post_paper(client, item, name, content)
    assert response.status_code == 400
    extension = name.rsplit(".", 1)[1]
    message = field_error(response.content.decode(), item)
    assert f"This file is not a real .{extension} file, although its name says so" in message
    assert f"Save it from {program} and attach it again" in message
    assert not Paper.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("annex.docx", docx_bytes()), ("figures.xlsx", xlsx_bytes())])
def test_real_word_and_excel_files_are_attached(client, secretary, item, name, content):
    client.force_login(secretary)
    response = post_paper(client, item, name, content)
    assert response.status_code == 302
    paper = Paper.objects.get(item=item)
    with paper.file.open("rb") as stored:
        assert stored.read() == content


def test_the_service_refuses_a_renamed_zip_whatever_calls_it(item, secretary):
    renamed = SimpleUploadedFile("annex.xlsx", zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "x.xml": b"<x/>"}))
    with pytest.raises(ValidationError) as refusal:
        paper_add(item=item, title="Annex", file=renamed, by=secretary)
    assert "without the parts every Excel file has" in refusal.value.message_dict["file"][0]
    assert not Paper.objects.exists()
