"""Store version 1 of minutes approved before approvals kept their files (run once after upgrading)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from documents.services import minutes_freeze
from meetings.models import Meeting, MeetingStatus


class Command(BaseCommand):
    help = "Freeze the minutes of approved meetings that have no stored version yet, as they print now."

    def handle(self, *args, **options):
        pending = Meeting.objects.filter(status=MeetingStatus.APPROVED, minutes_versions__isnull=True)
        done = 0
        for pk in pending.values_list("pk", flat=True):
            with transaction.atomic():
                # Under the meeting's row lock, so a reopening cannot interleave.
                meeting = Meeting.objects.select_for_update().select_related("board").get(pk=pk)
                if meeting.status != MeetingStatus.APPROVED or meeting.minutes_versions.exists():
                    continue
                minutes_freeze(meeting=meeting, version=1, by=meeting.approved_by)
                done += 1
        self.stdout.write(f"Froze the minutes of {done} approved meeting{'s' if done != 1 else ''}.")
