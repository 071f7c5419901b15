"""The background tasks that print what is too long to print in a request: the action log as PDF
(views print up to ACTION_LOG_PDF_MAX_ROWS; here in pieces, documents/typeset.py), and draft minutes
with more action rows than MINUTES_PDF_MAX_ROWS / MINUTES_DOCX_MAX_ROWS (documents/views.py).

Runs on whatever TASKS names: at once in the request with the immediate backend (make run,
tests), in a `db_worker` process with the database backend (production).
"""

import itertools
import logging
import tempfile
from collections.abc import Callable
from typing import IO

from django.core.files.base import ContentFile, File
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from actions.filters import ActionFilter
from actions.selectors import action_log, iter_export_rows, log_updated_at
from meetings.models import Meeting

from . import data, pdf, sheets, typeset, word
from .models import Export, ExportStatus, LogExport, LogKind, MinutesExport, MinutesKind

logger = logging.getLogger(__name__)


class NoLongerValid(Exception):
    """The request cannot be printed any more, for a reason the member may be told."""


def log_export_render(export: LogExport) -> tuple[IO[bytes], int]:
    """The whole (filtered) log as the request would make it, without the cap: a PDF printed in
    pieces, or an Excel file written row by row (time grows with the rows, memory does not):
    (a temporary file, rows)."""
    board = export.board
    log = ActionFilter(QueryDict(export.query), queryset=action_log(board), board=board)
    if not log.is_valid():
        # e.g. the meeting it was filtered by has gone since.
        raise NoLongerValid("These filters are no longer valid.")
    if export.kind == LogKind.XLSX:
        written = itertools.count()
        # Each row read advances the count: after the sheet, it says how many were written.
        rows = (row for row, _ in zip(iter_export_rows(log.qs), written))
        out = sheets.action_log_xlsx_file(rows, title=board.short_name or board.name)
        return out, next(written)
    # Plain rows, not model instances: a third of the time at 10,000 rows.
    actions = list(iter_export_rows(log.qs))
    updated = log_updated_at(board)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - _run stores and closes it
    try:
        typeset.action_log_pdf_to(
            out,
            board=board,
            actions=actions,
            updated_on=timezone.localtime(updated).date() if updated else None,
            filters=data.chosen_filters(log),
        )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, len(actions)


MINUTES_RENDERERS = {MinutesKind.PDF: pdf.minutes_pdf, MinutesKind.DOCX: word.minutes_docx}


def minutes_render(meeting: Meeting, kind: str) -> tuple[bytes, int]:
    """A meeting's minutes as they stand now, as PDF or Word: (file, action rows printed).
    The one rendering of draft minutes, in the request and in the background alike."""
    pack = data.meeting_pack(meeting)
    rows = len(pack.action_log) + sum(len(s.actions) for s in pack.items)
    return MINUTES_RENDERERS[kind](pack), rows


def _run(model: type[Export], export_id: int, render: Callable[[Export], tuple[bytes | IO[bytes], int] | None]) -> str:
    """Claim the export, render it, store the file; a failure is recorded, its cause logged."""
    # Claimed by one worker only: a task run twice prints once.
    if not model.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING):
        return "nothing to do"
    export = model.objects.get(pk=export_id)
    try:
        made = render(export)
    except Exception as exc:
        logger.exception("%s %s failed", model.__name__, export_id)
        export.status = ExportStatus.FAILED
        export.error = (str(exc) if isinstance(exc, NoLongerValid) else f"The {export.noun} could not be made.")[:300]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return "failed"
    fields = ["status", "finished_at"]
    if made is not None:
        content, export.rows = made
        # A long document comes as a temporary file, not held in memory.
        file = ContentFile(content) if isinstance(content, bytes) else File(content, name="export")
        with file:
            # The storage never overwrites: a name already taken gets a new one.
            export.file.save(export.file_name(), file, save=False)
        fields += ["file", "rows"]
    export.status = ExportStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=fields)
    return "done"


@task()
def render_log_export(export_id: int) -> str:
    return _run(LogExport, export_id, log_export_render)


def minutes_export_render(export: MinutesExport) -> tuple[bytes, int] | None:
    """The draft minutes as the request would have rendered them; nothing for minutes approved
    since they were asked for, whose frozen files the export then points to."""
    meeting = Meeting.objects.select_related("board").get(pk=export.meeting_id)
    if data.frozen_minutes(meeting) is not None:
        return None
    return minutes_render(meeting, export.kind)


@task()
def render_minutes_export(export_id: int) -> str:
    return _run(MinutesExport, export_id, minutes_export_render)
