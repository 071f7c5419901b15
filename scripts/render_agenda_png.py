"""Render the demo's 17 April 2024 agenda to docs/screenshots/agenda-pdf.png (page 1).

Run: .venv/bin/python scripts/render_agenda_png.py  — uses a throwaway SQLite database, needs pdftoppm.
"""

import datetime
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/demo.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adoptboard.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from documents import data, pdf
        from meetings.models import Board

        call_command("migrate", verbosity=0)
        call_command("load_demo", password="demo-pass", stdout=io.StringIO())
        board = Board.objects.get(slug="south-east-alb")
        meeting = board.meetings.get(date=datetime.date(2024, 4, 17))
        out_pdf = Path(tmp) / "agenda.pdf"
        out_pdf.write_bytes(pdf.agenda_pdf(data.meeting_pack(meeting)))
        if len(sys.argv) > 1:
            Path(sys.argv[1]).write_bytes(out_pdf.read_bytes())
        out = ROOT / "docs" / "screenshots" / "agenda-pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(out_pdf), str(out)], check=True
        )
        print(f"Wrote {out}.png")


if __name__ == "__main__":
    main()
