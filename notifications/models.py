"""What was sent by email, to whom, when, and whether it arrived; and who wants reminders."""

import uuid

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from meetings.models import Meeting, Person


class Kind(models.TextChoices):
    AGENDA = "agenda", "Agenda"
    AGENDA_UPDATED = "agenda_updated", "Updated agenda"
    MINUTES_CIRCULATED = "minutes_circulated", "Draft minutes"
    MINUTES_APPROVED = "minutes_approved", "Approved minutes"
    ACTIONS = "actions", "Actions from the meeting"
    REMINDER = "reminder", "Action reminder"
    DIGEST = "digest", "Digest of actions with no update"


# Sent once per person and meeting, whoever runs send_reminders and however often: the row is
# claimed (inserted) before the message is queued, and the unique constraint refuses a second.
ONCE_PER_MEETING = (Kind.REMINDER, Kind.DIGEST, Kind.ACTIONS)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message to one person: queued when decided, then sent or failed by the background task."""

    kind = models.CharField(max_length=30, choices=Kind.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="deliveries")
    # The address at the time, as people's addresses change.
    address = models.EmailField()
    # One press of "Send agenda" (or one circulation, one reminder run): the meeting page sums the latest.
    batch = models.UUIDField(default=uuid.uuid4, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["meeting", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "meeting", "person"],
                condition=Q(kind__in=ONCE_PER_MEETING),
                name="delivery_once_per_meeting",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.address} ({self.get_status_display()})"


class Preference(models.Model):
    """A person's choice of optional email. Formal circulation (agenda, minutes) is not optional."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="email_preference")
    reminders = models.BooleanField("email me reminders of my open actions before each meeting", default=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.person}: reminders {'on' if self.reminders else 'off'}"
