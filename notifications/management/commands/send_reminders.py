"""Email action reminders before each meeting (Board.reminder_days); run it hourly (README)."""

from django.core.management.base import BaseCommand

from notifications.services import reminders_send


class Command(BaseCommand):
    help = "Queue the action reminders and secretaries' digests due today; each is sent once per meeting."

    def handle(self, *args, **options):
        run = reminders_send()
        self.stdout.write(
            f"{run.meetings} meeting(s) due reminders: {run.queued} message(s) queued, "
            f"{run.already_sent} already sent before."
        )
