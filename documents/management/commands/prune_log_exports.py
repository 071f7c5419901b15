"""Delete the action log PDFs made in the background once they are old (run daily, like prune_db_task_results)."""

import datetime

from django.core.management.base import BaseCommand

from documents.services import log_exports_prune


class Command(BaseCommand):
    help = "Delete action log PDFs made in the background more than --days days ago (7 by default)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="keep PDFs made in the last DAYS days (default 7)")

    def handle(self, *args, days, **options):
        done = log_exports_prune(older_than=datetime.timedelta(days=max(days, 0)))
        self.stdout.write(f"Deleted {done} action log PDF{'s' if done != 1 else ''}.")
