"""Documents the app prepares in the background, when they are too long to print in a request:
the action log's PDF, and a meeting's draft minutes (PDF or Word) with thousands of action rows."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from adoptboard.storage import CheckedFileField
from meetings.models import Board, Meeting


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


PENDING = (ExportStatus.QUEUED, ExportStatus.RUNNING)
# A job still in hand after this long is taken as lost (a worker killed mid-print, no worker
# running): it is no longer reused, and its page says to ask again. 10,000 rows print in ~80 s.
STALE_AFTER = datetime.timedelta(minutes=30)


def log_export_upload_to(instance, filename):
    # Every background document, whatever its kind (the name is the first migration's).
    return f"exports/{instance.board.slug}/{filename}"


class Export(models.Model):
    """A document rendered by a background task on one member's request, and kept in the storage
    for that member (and nobody else): who asked, how far it got, the file."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    # How many rows there were when it was asked for, then how many the document printed.
    rows = models.PositiveIntegerField(default=0)
    # In the default storage; `.url` is the access-checked download.
    file = CheckedFileField(upload_to=log_export_upload_to, max_length=300, blank=True, url_method="get_file_url")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    # What its pages call the document ("Your PDF is ready").
    noun = "PDF"

    def file_name(self) -> str:
        """The stored file's name (the storage adds to it rather than overwrite)."""
        raise NotImplementedError

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def is_stale(self) -> bool:
        return self.is_pending and self.created_at < timezone.now() - STALE_AFTER


class LogKind(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class LogExport(Export):
    """One request for the (filtered) action log as PDF, or as Excel past what a request writes."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="log_exports")
    # The log page's filters, normalised (sorted, no page number): the same filters are the same request.
    query = models.CharField(max_length=2000, blank=True)
    kind = models.CharField(max_length=4, choices=LogKind.choices, default=LogKind.PDF)

    history = HistoricalRecords()

    class Meta(Export.Meta):
        constraints = [
            # One identical request in hand at a time: a second press (or a second tab) reuses it.
            models.UniqueConstraint(
                fields=["board", "requested_by", "query", "kind"],
                condition=Q(status__in=PENDING),
                name="logexport_one_pending_per_request",
            )
        ]

    def __str__(self):
        return f"Action log {self.get_kind_display()} of {self.board} for {self.requested_by} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("documents:action-export-status", kwargs={"slug": self.board.slug, "export_pk": self.pk})

    def get_file_url(self) -> str:
        return reverse("documents:action-export-file", kwargs={"slug": self.board.slug, "export_pk": self.pk})

    @property
    def noun(self) -> str:
        return "PDF" if self.kind == LogKind.PDF else "Excel file"

    def file_name(self) -> str:
        return f"action-log-{self.pk}.{self.kind}"


class MinutesKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"


class MinutesExport(Export):
    """One request for a meeting's draft minutes, as PDF or Word, with too many action rows to
    render in the request. Approved minutes are never rendered here: they have their frozen files."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_exports")
    kind = models.CharField(max_length=4, choices=MinutesKind.choices)

    history = HistoricalRecords()

    class Meta(Export.Meta):
        constraints = [
            # As for the log: one request for the same meeting's minutes in the same format in hand at a time.
            models.UniqueConstraint(
                fields=["meeting", "requested_by", "kind"],
                condition=Q(status__in=PENDING),
                name="minutesexport_one_pending_per_request",
            )
        ]

    def __str__(self):
        return f"Minutes of {self.meeting} ({self.get_kind_display()}) for {self.requested_by} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return self._url("meeting-minutes-export-status")

    @property
    def board(self) -> Board:
        return self.meeting.board

    def _url(self, name: str) -> str:
        kwargs = {"slug": self.meeting.board.slug, "pk": self.meeting_id, "export_pk": self.pk}
        return reverse(f"documents:{name}", kwargs=kwargs)

    def get_file_url(self) -> str:
        return self._url("meeting-minutes-export-file")

    @property
    def noun(self) -> str:
        return "PDF" if self.kind == MinutesKind.PDF else "Word file"

    def file_name(self) -> str:
        return f"minutes-{self.meeting.date:%Y-%m-%d}-{self.pk}.{self.kind}"
