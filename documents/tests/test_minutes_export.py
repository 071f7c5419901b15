"""Draft minutes with more action rows than a request can print: made in the background like the
long log's PDF, shown to the member who asked and nobody else, the approved files once approved."""

import datetime
import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.tests.test_action_log import make_many
from documents import data, tasks, views
from documents.models import ExportStatus, MinutesExport, MinutesKind
from documents.tests.test_frozen_minutes import docx_text
from documents.tests.test_meeting_documents import flat, pdf_pages, url
from documents.tests.test_meeting_documents import meeting as meeting  # the fixture
from meetings.models import MinutesLog, MinutesVersion
from meetings.services import minutes_approve

# The fixture's minutes print 3 action rows: one raised at item 2, and the log of two actions.
ROWS = 3


@pytest.fixture
def low(monkeypatch):
    """Thresholds below the fixture's rows: its minutes go to the background."""
    monkeypatch.setattr(views, "MINUTES_PDF_MAX_ROWS", ROWS - 1)
    monkeypatch.setattr(views, "MINUTES_DOCX_MAX_ROWS", ROWS - 1)


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text_of(kind: str, body: bytes) -> str:
    return flat("".join(pdf_pages(body))) if kind == "pdf" else docx_text(body)


def ask(client, user, meeting, kind, *, callbacks, execute=True):
    client.force_login(user)
    with callbacks(execute=execute):
        return client.get(url(f"meeting-minutes-{kind}", meeting))


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_it_makes_long_draft_minutes_in_the_background_as_the_request_would(
    client, secretary, meeting, kind, monkeypatch, django_capture_on_commit_callbacks
):
    # What the request prints within the threshold, to compare the background's file with.
    client.force_login(secretary)
    inline = text_of(kind, content(client.get(url(f"meeting-minutes-{kind}", meeting))))

    monkeypatch.setattr(views, "MINUTES_PDF_MAX_ROWS", ROWS - 1)
    monkeypatch.setattr(views, "MINUTES_DOCX_MAX_ROWS", ROWS - 1)
    response = ask(client, secretary, meeting, kind, callbacks=django_capture_on_commit_callbacks)
    export = MinutesExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    # The immediate backend ran the task once the request's write committed.
    assert (export.status, export.kind, export.rows, export.requested_by) == (ExportStatus.DONE, kind, ROWS, secretary)

    page = client.get(export.get_absolute_url())
    assert page.status_code == 200
    noun = "PDF" if kind == "pdf" else "Word file"
    assert f"Your {noun} of {ROWS} action rows is ready".encode() in page.content
    assert export.get_file_url().encode() in page.content

    file = client.get(export.get_file_url())
    assert file.status_code == 200
    assert file["Cache-Control"] == "private, no-store"
    assert f'filename="test-alb-minutes-2024-07-17.{kind}"' in file["Content-Disposition"]
    text = text_of(kind, content(file))
    assert "Minutes: 17 July 2024" in text
    assert f"{meeting.raised_action.number}" in text and "Build 2-3% disruption" in text
    assert f"{meeting.old_action.number}" in text and "Benchmark kinship allowances" in text
    # The very minutes the request would have printed.
    assert text == inline


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_minutes_within_the_threshold_are_still_made_in_the_request(client, secretary, meeting, kind, monkeypatch):
    monkeypatch.setattr(views, "MINUTES_PDF_MAX_ROWS", ROWS)
    monkeypatch.setattr(views, "MINUTES_DOCX_MAX_ROWS", ROWS)
    client.force_login(secretary)
    response = client.get(url(f"meeting-minutes-{kind}", meeting))
    assert response.status_code == 200
    assert response["Content-Type"] == ("application/pdf" if kind == "pdf" else tasks.word.DOCX)
    assert "Minutes: 17 July 2024" in text_of(kind, content(response))
    assert not MinutesExport.objects.exists()


def test_only_the_requester_sees_the_job(
    client, secretary, chair, member, outsider, staff, meeting, low, django_capture_on_commit_callbacks
):
    ask(client, secretary, meeting, "pdf", callbacks=django_capture_on_commit_callbacks)
    export = MinutesExport.objects.get()
    urls = [export.get_absolute_url(), export.get_file_url()]
    # The chair may read the draft minutes too, but this copy is the secretary's.
    for user in (chair, member, outsider, staff):
        client.force_login(user)
        for address in urls:
            assert client.get(address).status_code == 404, (user, address)
    client.logout()
    assert client.get(urls[0])["Location"].startswith("/accounts/login/")
    # A job on another meeting's address is not found either.
    other = reverse(
        "documents:meeting-minutes-export-file",
        kwargs={"slug": meeting.board.slug, "pk": meeting.old_action.meeting_id, "export_pk": export.pk},
    )
    client.force_login(secretary)
    assert client.get(other).status_code == 404
    assert client.get(urls[1]).status_code == 200


def test_a_member_asking_for_circulated_minutes_gets_their_own_job(
    client, member, meeting, low, django_capture_on_commit_callbacks
):
    type(meeting).objects.filter(pk=meeting.pk).update(minutes_circulated_at=datetime.datetime.now(datetime.UTC))
    response = ask(client, member, meeting, "docx", callbacks=django_capture_on_commit_callbacks)
    export = MinutesExport.objects.get(requested_by=member)
    assert response["Location"] == export.get_absolute_url()
    assert client.get(export.get_file_url()).status_code == 200
    # Drafts not circulated any more (a reopening clears it): their copy goes with them.
    type(meeting).objects.filter(pk=meeting.pk).update(minutes_circulated_at=None)
    assert client.get(export.get_absolute_url()).status_code == 404
    assert client.get(export.get_file_url()).status_code == 404


def approved_files(meeting, kind) -> tuple[MinutesVersion, bytes]:
    version = MinutesVersion.objects.get(meeting=meeting)
    with getattr(version, kind).open("rb") as f:
        return version, f.read()


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_minutes_approved_after_the_job_lead_to_the_frozen_files(
    client, secretary, meeting, kind, low, django_capture_on_commit_callbacks
):
    ask(client, secretary, meeting, kind, callbacks=django_capture_on_commit_callbacks)
    export = MinutesExport.objects.get()
    assert export.file  # a draft, printed
    minutes_approve(meeting=meeting, by=secretary)
    version, frozen = approved_files(meeting, kind)
    frozen_url = reverse(
        f"documents:meeting-minutes-version-{kind}",
        kwargs={"slug": meeting.board.slug, "pk": meeting.pk, "version": version.number},
    )
    page = client.get(export.get_absolute_url())
    assert b"have been approved since you asked" in page.content
    assert frozen_url.encode() in page.content
    response = client.get(export.get_file_url())
    assert response.status_code == 302 and response["Location"] == frozen_url
    served = content(client.get(frozen_url))
    assert hashlib.sha256(served).hexdigest() == getattr(version, f"{kind}_sha256")
    assert "Approved on" in text_of(kind, served)


def test_minutes_approved_before_the_job_runs_are_not_rendered_again(
    client, secretary, meeting, low, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.force_login(secretary)
        first = client.get(url("meeting-minutes-pdf", meeting))
        again = client.get(url("meeting-minutes-pdf", meeting))
    # The same request still in hand is reused.
    assert first["Location"] == again["Location"]
    assert len(queued) == 1
    page = client.get(first["Location"])
    assert b"being prepared" in page.content and b'hx-trigger="every 3s"' in page.content
    assert b"These minutes print 3 action rows" in page.content

    minutes_approve(meeting=meeting, by=secretary)
    rendered = []
    monkeypatch.setitem(tasks.MINUTES_RENDERERS, MinutesKind.PDF, lambda pack: rendered.append(pack) or b"%PDF")
    queued[0]()  # the worker's turn comes
    export = MinutesExport.objects.get()
    assert export.status == ExportStatus.DONE
    assert not export.file and rendered == []
    version, frozen = approved_files(meeting, "pdf")
    file = client.get(export.get_file_url(), follow=True)
    assert content(file) == frozen
    # And the approved minutes themselves are never queued: they are their frozen files.
    direct = client.get(url("meeting-minutes-pdf", meeting))
    assert direct.status_code == 200 and content(direct) == frozen
    assert MinutesExport.objects.count() == 1


def test_a_failed_render_says_failed_not_500(
    client, secretary, meeting, low, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(pack):
        raise RuntimeError("python-docx fell over")

    monkeypatch.setitem(tasks.MINUTES_RENDERERS, MinutesKind.DOCX, broken)
    response = ask(client, secretary, meeting, "docx", callbacks=django_capture_on_commit_callbacks)
    export = MinutesExport.objects.get()
    assert export.status == ExportStatus.FAILED
    page = client.get(response["Location"])
    assert b"Failed." in page.content and b"The Word file could not be made." in page.content
    assert b"fell over" not in page.content  # the cause is in the log, not on the page
    assert client.get(export.get_file_url()).status_code == 404


@pytest.mark.parametrize("scope", ["whole log", "cut log", "meeting"])
def test_the_rows_counted_before_rendering_are_the_rows_printed(board, meeting, monkeypatch, scope):
    make_many(board, 30, start=1000)
    if scope == "cut log":
        monkeypatch.setattr(data, "MINUTES_FULL_LOG_MAX", 10)
    if scope == "meeting":
        type(board).objects.filter(pk=board.pk).update(minutes_log=MinutesLog.MEETING)
    meeting.refresh_from_db()
    pack = data.meeting_pack(meeting)
    printed = len(pack.action_log) + sum(len(s.actions) for s in pack.items)
    assert data.minutes_action_rows(meeting) == printed
    assert tasks.minutes_render(meeting, MinutesKind.DOCX)[1] == printed
    if scope == "cut log":
        assert pack.log_total > len(pack.action_log)


def test_old_minutes_files_are_pruned_with_the_log_pdfs(secretary, meeting):
    from django.core.management import call_command
    from django.utils import timezone

    export = MinutesExport.objects.create(meeting=meeting, requested_by=secretary, kind=MinutesKind.DOCX)
    assert tasks.render_minutes_export.call(export.pk) == "done"
    assert tasks.render_minutes_export.call(export.pk) == "nothing to do"  # claimed once only
    MinutesExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    export.refresh_from_db()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    out = io.StringIO()
    call_command("prune_log_exports", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 document made in the background."
    assert not storage.exists(name) and not MinutesExport.objects.exists()


def test_the_status_page_costs_the_same_queries_however_many_rows(
    client, secretary, meeting, low, django_capture_on_commit_callbacks, django_assert_num_queries
):
    ask(client, secretary, meeting, "pdf", callbacks=django_capture_on_commit_callbacks)
    small = MinutesExport.objects.get()
    client.get(small.get_absolute_url())  # warm the session and the content types
    with CaptureQueriesContext(connection) as page:
        assert client.get(small.get_absolute_url()).status_code == 200
    page_queries = len(page)  # now: each request empties the connection's log the context reads from

    # Forty more actions raised at the meeting: forty more rows in the minutes, and in the job.
    make_many(meeting.board, 40, start=1000, meeting=meeting)
    ask(client, secretary, meeting, "docx", callbacks=django_capture_on_commit_callbacks)
    large = MinutesExport.objects.get(kind=MinutesKind.DOCX)
    assert large.rows >= small.rows + 40
    page_url = large.get_absolute_url()
    with django_assert_num_queries(page_queries):
        assert client.get(page_url).status_code == 200
