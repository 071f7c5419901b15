"""The documents the app keeps: approved minutes, frozen at their approval; what is too long to print
in a request (the long action log's PDF, draft minutes with thousands of actions), made in the background."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import Board, Meeting, MinutesVersion

from . import data, pdf, word
from .models import PENDING, STALE_AFTER, Export, ExportStatus, LogExport, LogKind, MinutesExport
from .tasks import render_log_export, render_minutes_export


@transaction.atomic
def minutes_freeze(*, meeting: Meeting, version: int, by=None) -> MinutesVersion:
    """Render the minutes of `meeting` as they stand now and store them as version `version`.

    Called by meetings.services.minutes_approve (through the `minutes_approved` signal) inside the
    approval's transaction, holding the meeting's row lock, with the meeting already approved: the
    files say "Approved on …" and carry the action log and its "updated on" date as at this moment.
    """
    pack = data.meeting_pack(meeting)
    pdf_bytes = pdf.minutes_pdf(pack)
    docx_bytes = word.minutes_docx(pack)
    stem = f"minutes-{meeting.date:%Y-%m-%d}-v{version}"
    record = MinutesVersion(
        meeting=meeting,
        number=version,
        # Meetings approved by hand long ago may have no date: the freezing's is the best there is.
        approved_at=meeting.approved_at or timezone.now(),
        approved_by=by,
        pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        docx_sha256=hashlib.sha256(docx_bytes).hexdigest(),
    )
    # The storage never overwrites: a name already taken (a rolled-back approval's files) gets a new one.
    record.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
    record.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
    record.save()
    return record


def on_minutes_approved(sender, *, meeting: Meeting, version: int, by=None, **kwargs) -> None:
    minutes_freeze(meeting=meeting, version=version, by=by)


def _export_request(model: type[Export], *, key: dict, rows: int, task) -> Export:
    """Ask for a document in the background; the same request (`key`) still in hand is reused.

    The task is queued once the row is committed (with the immediate backend it runs then, inside
    the request). Two presses at once: the partial unique constraint lets one row in, the other reuses it.
    """
    pending = model.objects.filter(**key, status__in=PENDING)
    # A lost job (see STALE_AFTER) is failed, not reused, so that asking again prints it anew.
    for lost in pending.filter(created_at__lt=timezone.now() - STALE_AFTER):
        lost.status, lost.error, lost.finished_at = ExportStatus.FAILED, "It took too long.", timezone.now()
        lost.save(update_fields=["status", "error", "finished_at"])
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            export = model.objects.create(**key, rows=rows)
    except IntegrityError:
        return pending.get()
    transaction.on_commit(lambda: task.enqueue(export.pk))
    return export


def log_export_request(*, board: Board, user, query: str, rows: int, kind: str = LogKind.PDF) -> LogExport:
    """Ask for the (filtered) action log as PDF or Excel (`kind`) in the background (rows: how many actions match)."""
    return _export_request(
        LogExport,
        key={"board": board, "requested_by": user, "query": query, "kind": kind},
        rows=rows,
        task=render_log_export,
    )


def minutes_export_request(*, meeting: Meeting, user, kind: str, rows: int) -> MinutesExport:
    """Ask for a meeting's minutes as PDF or Word (`kind`) in the background (rows: how many action rows)."""
    return _export_request(
        MinutesExport,
        key={"meeting": meeting, "requested_by": user, "kind": kind},
        rows=rows,
        task=render_minutes_export,
    )


def exports_prune(*, older_than: datetime.timedelta) -> int:
    """Delete finished background documents (row and stored file) made more than `older_than` ago; how many.

    They are copies of a log or of draft minutes that have moved on since, kept only for their requester."""
    done = 0
    for model in (LogExport, MinutesExport):
        old = model.objects.exclude(status__in=PENDING).filter(created_at__lt=timezone.now() - older_than)
        for export in old.iterator():
            if export.file:
                export.file.delete(save=False)
            export.delete()
            done += 1
    return done
