"""python manage.py import_actions --board <slug> FILE [--dry-run] [--create-people] [--confirm-numbers]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from actions.importing import MAX_UPLOAD_BYTES, SKIP, ImportRefused, Preview, preview_import, read_file
from actions.services import actions_import
from meetings.models import Board


def format_preview(preview: Preview) -> list[str]:
    """The web preview as text, one line per row and one indented line per problem."""
    lines = []
    for row in preview.rows:
        issued = ""
        if row.issued_on:
            issued = f"{row.issued_on:%b %Y}" if row.issued_month_only else f"{row.issued_on:%-d %b %Y}"
        status = row.status_label + (f" ({row.status_note})" if row.status_note else "")
        result = {
            "create": "create",
            "update": "update: " + ", ".join(row.changes),
            "unchanged": "unchanged",
            SKIP: "SKIP",
        }[row.kind]
        text = " ".join(row.text.split())
        text = text if len(text) <= 50 else text[:49] + "…"
        lines.append(
            f"{row.raw.where:<16} {str(row.number or row.raw.number):>5}  {text:<50}  "
            f"{row.responsible_label or row.raw.responsible:<12} {issued or row.raw.issued:<11} {status or row.raw.status:<20} {result}"
        )
        lines.extend(f"{'':<16}   ! {p.message}" for p in row.problems)
    lines.append(
        f"{preview.created} to create, {preview.updated} to update, {preview.unchanged} unchanged, "
        f"{len(preview.bad_rows)} with problems."
    )
    if preview.unknown_initials:
        lines.append("Unknown initials: " + ", ".join(preview.unknown_initials) + " (--create-people adds them).")
    if preview.number_jump:
        lines.append(f"Warning: {preview.number_jump.message} (--confirm-numbers imports them as they are.)")
    return lines


class Command(BaseCommand):
    help = "Import an action log from a .csv, .xlsx or .docx file into a board, showing the preview first."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--board", required=True, help="the board's slug")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen, write nothing")
        parser.add_argument("--create-people", action="store_true", help="create people for unknown initials")
        parser.add_argument(
            "--confirm-numbers",
            action="store_true",
            help="import numbers that move the board's next number far past its log",
        )

    def handle(
        self, *args, file: Path, board: str, dry_run: bool, create_people: bool, confirm_numbers: bool, **options
    ):
        try:
            target = Board.objects.get(slug=board)
        except Board.DoesNotExist:
            raise CommandError(f"No board with the slug {board!r}.") from None
        try:
            with file.open("rb") as fh:
                data = fh.read(MAX_UPLOAD_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            parsed = read_file(file.name, data)
        except ImportRefused as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(
            f"{file.name}: read from {parsed.source}; columns "
            + ", ".join(f"“{header}” as {name}" for name, header in parsed.columns.items())
        )
        preview = preview_import(board=target, rows=parsed.rows)
        for line in format_preview(preview):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            result = actions_import(
                board=target,
                rows=parsed.rows,
                create_people=create_people,
                allow_number_jump=confirm_numbers,
                expected_fingerprint=preview.fingerprint(),
                source=file.name,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
                f"{result.skipped} skipped."
                + (
                    " New people: " + ", ".join(p.initials for p in result.people_created)
                    if result.people_created
                    else ""
                )
            )
        )
