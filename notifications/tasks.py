"""The background task that sends one delivery, retrying with back-off when the server fails.

Runs on whatever TASKS names: at once in the request with the immediate backend (make run,
tests), in a `db_worker` process with the database backend (production). A delivery already sent
is not sent again, so a task run twice (a worker killed after sending) sends once more at worst
only if it died between the server's "250" and the commit of `sent`.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from .messages import render
from .models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)


def backoff() -> list[datetime.timedelta]:
    """The wait before each retry (EMAIL_RETRY_DELAYS: 1, 5, 30 minutes, 2 hours by default)."""
    return [datetime.timedelta(seconds=s) for s in settings.EMAIL_RETRY_DELAYS]


def describe(exc: Exception) -> tuple[str, bool]:
    """What went wrong, as the meeting page says it, and whether trying again could help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reason = next(iter(exc.recipients.values()), (550, b""))
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        # 4xx: the server asks to try later; 5xx: the address is refused for good.
        return f"address refused ({code} {text})".strip()[:300], 400 <= code < 500
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"mail server said {exc.smtp_code} {text}"[:300], 400 <= exc.smtp_code < 500
    return f"{type(exc).__name__}: {exc}"[:300], True


def enqueue_after_commit(delivery_ids: list[int]) -> None:
    """Queue one task per delivery once the transaction that decided them commits (a request never
    waits for the mail server, and a rolled-back decision sends nothing)."""
    for pk in delivery_ids:
        transaction.on_commit(lambda pk=pk: deliver.enqueue(pk))


@task()
def deliver(delivery_id: int) -> str:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("meeting__board", "person")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return "nothing to do"
        delivery.attempts += 1
        try:
            email = render(delivery)
            delivery.subject = email.subject[:300]
            email.send()
        except Exception as exc:
            delivery.error, transient = describe(exc)
            backend = task_backends[deliver.backend]
            waits = backoff()
            if transient and delivery.attempts <= len(waits) and backend.supports_defer:
                wait = waits[delivery.attempts - 1]
                delivery.save(update_fields=["attempts", "error", "subject"])
                transaction.on_commit(lambda: deliver.using(run_after=timezone.now() + wait).enqueue(delivery_id))
                logger.warning("Delivery %s failed (%s); retrying in %s", delivery_id, delivery.error, wait)
                return "retrying"
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["attempts", "error", "subject", "status"])
            logger.warning("Delivery %s failed for good: %s", delivery_id, delivery.error)
            return "failed"
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.error = ""
        delivery.save(update_fields=["attempts", "error", "subject", "status", "sent_at"])
        return "sent"
