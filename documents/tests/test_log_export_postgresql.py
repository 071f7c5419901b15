"""The long action log's PDF on the real path: the request queues the task in PostgreSQL, a real
`db_worker` process prints it into the storage, the status page then offers the download."""

import datetime
import re
import threading
import time

import pytest
import time_machine
from django.db import connections
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from actions.tests.test_action_log import make_many
from adoptboard.tests import workers
from documents import services, views
from documents.models import ExportStatus, LogExport

from .test_log_export import pdf_text

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings, tmp_path):
    """A real `db_worker` on this test's database and storage, on the machine's real clock."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    real_now = time_machine.escape_hatch.datetime.datetime.now(tz=datetime.UTC)
    env = workers.child_env(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    with workers.db_worker(env, tmp_path / "worker.log") as process, time_machine.travel(real_now, tick=True):
        yield process


def test_a_db_worker_prints_the_long_log(client, board, member, monkeypatch, worker):
    monkeypatch.setattr(views, "ACTION_LOG_PDF_MAX_ROWS", 5)
    make_many(board, 12)
    client.force_login(member)
    response = client.get(reverse("documents:action-export-pdf", kwargs={"slug": board.slug}))
    assert response.status_code == 302
    export = LogExport.objects.get()
    # The request only queued it: the worker, another process, prints it.
    deadline = time.monotonic() + 90
    while export.is_pending and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    job = DBTaskResult.objects.get(task_path="documents.tasks.render_log_export")
    # Claimed by the worker process (its result is recorded a moment after the export is marked done).
    assert job.worker_ids
    page = client.get(response["Location"])
    assert b"Your PDF of 12 actions is ready" in page.content
    file = client.get(export.file.url)
    assert file.status_code == 200
    text = pdf_text(b"".join(file.streaming_content))
    assert sorted(int(n) for n in re.findall(r"Bulk action (\d+)", text)) == list(range(1, 13))


def test_presses_at_once_make_one_job(board, member, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    barrier = threading.Barrier(8)
    got, errors = [], []

    def press():
        try:
            barrier.wait()
            got.append(services.log_export_request(board=board, user=member, query="status=open", rows=600).pk)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # The partial unique constraint let one row in; the other presses reuse it.
    assert len(set(got)) == 1 and len(got) == 8
    assert LogExport.objects.count() == 1
