"""Long draft minutes on the real path: the request queues the task in PostgreSQL, a real
`db_worker` process renders them into the storage, the status page then offers the download."""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from documents import views
from documents.models import ExportStatus, MinutesExport

from .test_log_export_postgresql import worker as worker  # the fixture
from .test_meeting_documents import meeting as meeting  # the fixture
from .test_minutes_export import ROWS, content, text_of, url

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_db_worker_makes_the_long_minutes(client, secretary, meeting, monkeypatch, worker, kind):
    monkeypatch.setattr(views, "MINUTES_PDF_MAX_ROWS", ROWS - 1)
    monkeypatch.setattr(views, "MINUTES_DOCX_MAX_ROWS", ROWS - 1)
    client.force_login(secretary)
    response = client.get(url(f"meeting-minutes-{kind}", meeting))
    assert response.status_code == 302
    export = MinutesExport.objects.get()
    # The request only queued it: the worker, another process, renders it.
    deadline = time.monotonic() + 90
    while export.is_pending and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert DBTaskResult.objects.get(task_path="documents.tasks.render_minutes_export").worker_ids
    page = client.get(response["Location"])
    assert b"action rows is ready" in page.content
    text = text_of(kind, content(client.get(export.file.url)))
    assert "Minutes: 17 July 2024" in text and str(meeting.raised_action.number) in text
