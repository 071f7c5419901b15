"""python manage.py backup [--output FILE]: the database and every paper in one archive (see adoptboard/backup.py)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand

from adoptboard.backup import backup


class Command(BaseCommand):
    help = "Write one .tar.gz holding every table (Django's portable JSON), every paper and a manifest with checksums."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive to write (default: adoptboard-backup-<UTC date and time>.tar.gz here); "
            "written as FILE.partial and renamed when complete",
        )

    def handle(self, *args, output=None, **options):
        if output is None:
            output = Path(f"adoptboard-backup-{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M%S}.tar.gz")
        quiet = options["verbosity"] == 0
        backup(output, log=(lambda _: None) if quiet else (lambda line: self.stdout.write(line)))
