"""The background task that prints a long action log as PDF (views print up to
ACTION_LOG_PDF_MAX_ROWS in the request; WeasyPrint lays out ~8 ms a row, so longer logs come here).

Runs on whatever TASKS names: at once in the request with the immediate backend (make run,
tests), in a `db_worker` process with the database backend (production).
"""

import logging

from django.core.files.base import ContentFile
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from actions.filters import ActionFilter
from actions.selectors import action_log, log_updated_at

from . import data, pdf
from .models import LogExport, LogExportStatus

logger = logging.getLogger(__name__)


class FiltersNoLongerValid(Exception):
    pass


def log_export_render(export: LogExport) -> tuple[bytes, int]:
    """The whole (filtered) log as the request would print it, without the cap: (PDF, rows)."""
    board = export.board
    log = ActionFilter(QueryDict(export.query), queryset=action_log(board), board=board)
    if not log.is_valid():
        # e.g. the meeting it was filtered by has gone since.
        raise FiltersNoLongerValid("These filters are no longer valid.")
    actions = list(log.qs)
    updated = log_updated_at(board)
    content = pdf.action_log_pdf(
        board=board,
        actions=actions,
        updated_on=timezone.localtime(updated).date() if updated else None,
        filters=data.chosen_filters(log),
        total=len(actions),
    )
    return content, len(actions)


@task()
def render_log_export(export_id: int) -> str:
    # Claimed by one worker only: a task run twice prints once.
    if not LogExport.objects.filter(pk=export_id, status=LogExportStatus.QUEUED).update(status=LogExportStatus.RUNNING):
        return "nothing to do"
    export = LogExport.objects.select_related("board").get(pk=export_id)
    try:
        content, rows = log_export_render(export)
    except Exception as exc:
        logger.exception("Action log PDF %s failed", export_id)
        export.status = LogExportStatus.FAILED
        export.error = (str(exc) if isinstance(exc, FiltersNoLongerValid) else "The PDF could not be made.")[:300]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return "failed"
    # The storage never overwrites: a name already taken gets a new one.
    export.file.save(f"action-log-{export.pk}.pdf", ContentFile(content), save=False)
    export.status = LogExportStatus.DONE
    export.rows = rows
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "rows", "finished_at"])
    return "done"
