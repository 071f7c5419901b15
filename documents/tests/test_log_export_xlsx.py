"""The action log's Excel file past its cap: written by the background job, the requester's alone."""

import io

import openpyxl
import pytest
from django.urls import reverse

from actions.tests.test_action_log import make_many
from documents import views
from documents.models import ExportStatus, LogExport, LogKind


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(views, "ACTION_LOG_XLSX_MAX_ROWS", 5)
    return 5


def xlsx_url(board, query=""):
    return reverse("documents:action-export-xlsx", kwargs={"slug": board.slug}) + query


def numbers_in(content: bytes) -> list[int]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_log_past_the_cap_is_written_in_the_background(
    client, board, member, cap, django_capture_on_commit_callbacks
):
    make_many(board, 12)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(xlsx_url(board, "?page=2"))
    export = LogExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert (export.kind, export.status, export.rows, export.query) == (LogKind.XLSX, ExportStatus.DONE, 12, "")

    page = client.get(export.get_absolute_url())
    assert b"Your Excel file of 12 actions is ready" in page.content
    assert b"The action log as Excel" in page.content
    file = client.get(export.get_file_url())
    assert file.status_code == 200
    assert file["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert file["Content-Disposition"].startswith("attachment;") and ".xlsx" in file["Content-Disposition"]
    # Every row, newest first, as the request writes them.
    assert numbers_in(b"".join(file.streaming_content)) == list(range(12, 0, -1))


def test_the_excel_job_keeps_the_filters_and_is_not_the_pdfs(
    client, board, member, cap, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views, "ACTION_LOG_PDF_MAX_ROWS", 5)
    make_many(board, 40)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(xlsx_url(board, "?status=open"))
        client.get(reverse("documents:action-export-pdf", kwargs={"slug": board.slug}) + "?status=open")
    xlsx, pdf = LogExport.objects.get(kind=LogKind.XLSX), LogExport.objects.get(kind=LogKind.PDF)
    assert xlsx.pk != pdf.pk and xlsx.query == pdf.query == "status=open"
    content = b"".join(client.get(xlsx.get_file_url()).streaming_content)
    # make_many gives statuses in turn: 10 of the 40 are open.
    assert len(numbers_in(content)) == 10 == xlsx.rows


def test_a_log_within_the_cap_is_still_written_in_the_request(client, board, member, cap):
    make_many(board, 5)
    client.force_login(member)
    response = client.get(xlsx_url(board))
    assert response.status_code == 200 and not LogExport.objects.exists()
    assert numbers_in(b"".join(response.streaming_content)) == [5, 4, 3, 2, 1]


def test_only_the_requester_gets_the_excel_file(
    client, board, member, secretary, cap, django_capture_on_commit_callbacks
):
    make_many(board, 8)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(xlsx_url(board))
    export = LogExport.objects.get()
    client.force_login(secretary)
    assert client.get(export.get_absolute_url()).status_code == 404
    assert client.get(export.get_file_url()).status_code == 404


def test_bad_filters_are_refused_before_anything_is_queued(client, board, member, cap):
    make_many(board, 8)
    client.force_login(member)
    response = client.get(xlsx_url(board, "?status=nonsense"))
    assert response.status_code == 400 and b"These filters are not valid" in response.content
    assert not LogExport.objects.exists()
