"""python manage.py restore FILE: an archive from `backup` into a new, empty, migrated installation."""

from pathlib import Path

from django.core.management.base import BaseCommand

from adoptboard.backup import restore


class Command(BaseCommand):
    help = (
        "Read a backup archive into this installation, which must be empty and migrated "
        "(the database: nothing but what `migrate` creates); papers are written back through storage."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        quiet = options["verbosity"] == 0
        restore(archive, log=(lambda _: None) if quiet else (lambda line: self.stdout.write(line)))
