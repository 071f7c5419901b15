"""Documents the app prepares in the background: the action log's PDF, when it is too long to print in a request."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from adoptboard.storage import CheckedFileField
from meetings.models import Board


class LogExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


PENDING = (LogExportStatus.QUEUED, LogExportStatus.RUNNING)
# A job still in hand after this long is taken as lost (a worker killed mid-print, no worker
# running): it is no longer reused, and its page says to ask again. 10,000 rows print in ~80 s.
STALE_AFTER = datetime.timedelta(minutes=30)


def log_export_upload_to(instance, filename):
    return f"exports/{instance.board.slug}/{filename}"


class LogExport(models.Model):
    """One request for the (filtered) action log as PDF, rendered by a background task and kept
    in the storage for the member who asked for it (and nobody else)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="log_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The log page's filters, normalised (sorted, no page number): the same filters are the same request.
    query = models.CharField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=LogExportStatus.choices, default=LogExportStatus.QUEUED)
    # How many actions matched when it was asked for, then how many the PDF printed.
    rows = models.PositiveIntegerField(default=0)
    # In the default storage; `.url` is the access-checked download.
    file = CheckedFileField(upload_to=log_export_upload_to, max_length=300, blank=True, url_method="get_file_url")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One identical request in hand at a time: a second press (or a second tab) reuses it.
            models.UniqueConstraint(
                fields=["board", "requested_by", "query"],
                condition=Q(status__in=PENDING),
                name="logexport_one_pending_per_request",
            )
        ]

    def __str__(self):
        return f"Action log PDF of {self.board} for {self.requested_by} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("documents:action-export-status", kwargs={"slug": self.board.slug, "export_pk": self.pk})

    def get_file_url(self) -> str:
        return reverse("documents:action-export-file", kwargs={"slug": self.board.slug, "export_pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def is_stale(self) -> bool:
        return self.is_pending and self.created_at < timezone.now() - STALE_AFTER
