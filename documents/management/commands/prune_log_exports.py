"""Delete the documents made in the background (action log PDFs, long draft minutes) once they are old
(run daily, like prune_db_task_results)."""

import datetime

from django.core.management.base import BaseCommand

from documents.services import exports_prune


class Command(BaseCommand):
    help = "Delete documents made in the background more than --days days ago (7 by default)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="keep those made in the last DAYS days (default 7)")

    def handle(self, *args, days, **options):
        done = exports_prune(older_than=datetime.timedelta(days=max(days, 0)))
        self.stdout.write(f"Deleted {done} document{'s' if done != 1 else ''} made in the background.")
