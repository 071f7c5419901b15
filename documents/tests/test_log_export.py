"""The action log's PDF past the cap: a background job, its status page and its download, the requester's alone."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.selectors import action_log
from actions.tests.test_action_log import make_many
from documents import tasks, typeset, views
from documents.models import ExportStatus, LogExport


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(views, "ACTION_LOG_PDF_MAX_ROWS", 5)
    return 5


def pdf_url(board, query=""):
    return reverse("documents:action-export-pdf", kwargs={"slug": board.slug}) + query


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def ask(client, user, board, query="", *, callbacks):
    client.force_login(user)
    with callbacks(execute=True):
        response = client.get(pdf_url(board, query))
    return response


def test_it_prints_a_log_past_the_cap_in_the_background(client, board, member, cap, django_capture_on_commit_callbacks):
    make_many(board, 12)
    response = ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    export = LogExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    # The immediate backend ran the task once the request's write committed.
    assert (export.status, export.rows, export.requested_by) == (ExportStatus.DONE, 12, member)

    page = client.get(export.get_absolute_url())
    assert page.status_code == 200
    assert b"Your PDF of 12 actions is ready" in page.content
    download_url = reverse("documents:action-export-file", kwargs={"slug": board.slug, "export_pk": export.pk})
    assert download_url.encode() in page.content

    file = client.get(download_url)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert file["Cache-Control"] == "private, no-store"
    text = pdf_text(b"".join(file.streaming_content))
    # Every row, none cut off (the request's PDF would have stopped at 5).
    assert sorted(int(n) for n in re.findall(r"Bulk action (\d+)", text)) == list(range(1, 13))


def test_a_log_within_the_cap_is_still_printed_in_the_request(client, board, member, cap):
    make_many(board, 5)
    client.force_login(member)
    response = client.get(pdf_url(board))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert not LogExport.objects.exists()


def test_the_job_keeps_the_filters(client, board, member, cap, django_capture_on_commit_callbacks):
    make_many(board, 40)
    # make_many gives statuses in turn: 10 of the 40 are open.
    ask(client, member, board, "?status=open&page=3&nonsense=1", callbacks=django_capture_on_commit_callbacks)
    export = LogExport.objects.get()
    assert export.query == "status=open"
    assert export.rows == 10
    text = pdf_text(export.file.read())
    assert sorted(int(n) for n in re.findall(r"Bulk action (\d+)", text)) == list(range(4, 41, 4))


def test_an_identical_request_in_hand_is_reused(client, board, member, cap, django_capture_on_commit_callbacks):
    make_many(board, 24)  # 6 of each status
    client.force_login(member)
    # Not run yet (the callbacks are not executed): still queued.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = client.get(pdf_url(board, "?status=open&status=closed"))
        again = client.get(pdf_url(board, "?status=closed&status=open"))
    assert first["Location"] == again["Location"]
    assert LogExport.objects.get().status == ExportStatus.QUEUED
    assert len(queued) == 1
    page = client.get(first["Location"])
    assert b"being prepared" in page.content
    assert b'hx-trigger="every 3s"' in page.content
    # Another filter is another request.
    with django_capture_on_commit_callbacks(execute=False):
        other = client.get(pdf_url(board, "?status=open"))
    assert other["Location"] != first["Location"]
    assert LogExport.objects.count() == 2


def test_a_done_job_is_not_reused(client, board, member, cap, django_capture_on_commit_callbacks):
    make_many(board, 12)
    ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    assert list(LogExport.objects.values_list("status", flat=True)) == ["done", "done"]


def test_only_the_requester_sees_the_job(
    client, board, member, secretary, outsider, staff, cap, django_capture_on_commit_callbacks
):
    make_many(board, 12)
    ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    export = LogExport.objects.get()
    urls = [
        export.get_absolute_url(),
        reverse("documents:action-export-file", kwargs={"slug": board.slug, "export_pk": export.pk}),
    ]
    for user in (secretary, outsider, staff):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    client.logout()
    assert client.get(urls[0])["Location"].startswith("/accounts/login/")


def test_a_failed_render_says_failed_not_500(
    client, board, member, cap, monkeypatch, django_capture_on_commit_callbacks
):
    make_many(board, 12)

    def broken(*args, **kwargs):
        raise RuntimeError("Typst fell over")

    monkeypatch.setattr(tasks.typeset, "action_log_pdf_to", broken)
    response = ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    export = LogExport.objects.get()
    assert export.status == ExportStatus.FAILED
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Failed." in page.content
    assert b"Typst" not in page.content  # the cause is in the log, not on the page
    download = reverse("documents:action-export-file", kwargs={"slug": board.slug, "export_pk": export.pk})
    assert client.get(download).status_code == 404
    # A failed job is not in hand: asking again makes a new one.
    monkeypatch.undo()
    monkeypatch.setattr(views, "ACTION_LOG_PDF_MAX_ROWS", 5)
    ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    assert LogExport.objects.filter(status=ExportStatus.DONE).count() == 1


def test_the_task_runs_once(board, member, cap):
    make_many(board, 6)
    export = LogExport.objects.create(board=board, requested_by=member, query="", rows=6)
    assert tasks.render_log_export.call(export.pk) == "done"
    assert tasks.render_log_export.call(export.pk) == "nothing to do"


def test_a_lost_job_is_not_reused_forever(client, board, member, cap, django_capture_on_commit_callbacks):
    make_many(board, 12)
    # A worker killed mid-print leaves its job "running".
    lost = LogExport.objects.create(board=board, requested_by=member, status=ExportStatus.RUNNING, rows=12)
    LogExport.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(member)
    page = client.get(lost.get_absolute_url())
    assert b"taking far longer than it should" in page.content
    assert b"hx-trigger" not in page.content
    response = ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    assert response["Location"] != lost.get_absolute_url()
    lost.refresh_from_db()
    assert lost.status == ExportStatus.FAILED
    assert LogExport.objects.exclude(pk=lost.pk).get().status == ExportStatus.DONE


def test_old_pdfs_are_pruned_with_their_files(board, member, cap):
    make_many(board, 6)
    # Two different requests (one identical request cannot be in hand twice).
    old, recent = (LogExport.objects.create(board=board, requested_by=member, query=q, rows=6) for q in ("", "q=Bulk"))
    for export in (old, recent):
        tasks.render_log_export.call(export.pk)
    LogExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    out = io.StringIO()
    call_command("prune_log_exports", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 document made in the background."
    assert not storage.exists(name)
    assert list(LogExport.objects.all()) == [recent]


def test_a_long_log_is_printed_in_pieces_numbered_as_one(board, member, monkeypatch):
    # 100 rows in pieces of 40: two pieces of two pages (a page holds ~26 short rows) and a half piece.
    monkeypatch.setattr(typeset, "PIECE_ROWS", 40)
    make_many(board, 100)
    export = LogExport.objects.create(board=board, requested_by=member, query="q=Bulk", rows=100)
    assert tasks.render_log_export.call(export.pk) == "done"
    export.refresh_from_db()
    pages = [page.extract_text() for page in pypdf.PdfReader(export.file).pages]
    total = len(pages)
    assert total >= 5

    # Every action once: none lost or printed twice where the pieces join.
    text = "\n".join(pages)
    assert sorted(int(n) for n in re.findall(r"Bulk action (\d+)", text)) == list(range(1, 101))
    # One page number a page, counting the whole document (no piece's own "Page 1 of 2").
    for number, page in enumerate(pages, start=1):
        assert re.findall(r"Page \d+ of \d+", page) == [f"Page {number} of {total}"]
        assert "No. Action Responsible Date issued Due Status Latest update" in page
        assert board.name in page
        assert "Issued " in page
    # The title block and the filters once, on the first page; no "lists the newest 40 of 100".
    assert "Showing: Search: Bulk (100 actions)." in pages[0]
    assert text.count("Showing:") == 1
    assert "lists the newest" not in text
    # Later pages carry the running header, the first page of each later piece included.
    assert all(page.count("Action log") == 1 for page in pages)


def _baseline_of(page, word: str) -> float:
    """The baseline height (in points, from the foot) of the lowest text on `page` starting with `word`."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip().startswith(word):
            x, y = tm[4], tm[5]
            found.append(cm[1] * x + cm[3] * y + cm[5])

    page.extract_text(visitor_text=visit)
    return min(found)


def test_the_stamped_page_number_sits_on_the_footers_line_where_weasyprint_printed_it(board):
    make_many(board, 3)
    actions = list(action_log(board))
    page = pypdf.PdfReader(io.BytesIO(typeset.action_log_pdf(board=board, actions=actions, updated_on=None))).pages[0]
    assert "Page 1 of 1" in page.extract_text()
    # "Issued …" (Typst's footer) and "Page 1 of 1" (stamped) share a baseline: WeasyPrint's, 22.74 pt up.
    assert _baseline_of(page, "Page 1 of 1") == pytest.approx(22.74, abs=0.5)
    assert _baseline_of(page, "Issued ") == pytest.approx(22.74, abs=0.5)


def test_the_status_page_and_the_file_cost_the_same_queries_however_long_the_log(
    client, board, member, cap, django_capture_on_commit_callbacks, django_assert_num_queries
):
    make_many(board, 6)
    ask(client, member, board, callbacks=django_capture_on_commit_callbacks)
    small = LogExport.objects.get()
    client.get(small.get_absolute_url())  # warm the session and the content types
    with CaptureQueriesContext(connection) as page:
        assert client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as file:
        assert client.get(small.get_file_url()).status_code == 200
    # Counted now: each request empties the connection's log of queries the contexts read from.
    page_queries, file_queries = len(page), len(file)

    make_many(board, 60, start=7)
    ask(client, member, board, "?q=Bulk", callbacks=django_capture_on_commit_callbacks)
    large = LogExport.objects.exclude(pk=small.pk).get()
    assert large.rows == 66
    page_url, file_url = large.get_absolute_url(), large.get_file_url()
    with django_assert_num_queries(page_queries):
        assert client.get(page_url).status_code == 200
    with django_assert_num_queries(file_queries):
        assert client.get(file_url).status_code == 200
