"""The action log as a PDF, typeset by Typst (templates/documents/action_log.typ): the filtered log
in the request, the whole log in the background (documents/tasks.py) and the board pack's open
actions (documents/pack.py). The agenda and minutes stay WeasyPrint (documents/pdf.py).

Typst lays out a row in about 1 ms where WeasyPrint took 15 ms. The template is our own source;
every word of the log goes in as JSON through `sys.inputs` and is only ever printed as text, so
nothing a member types can act as markup. Typst runs sandboxed (documents/typst_compile.py): it
reads nothing but the template and the system fonts.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import io
import json
import multiprocessing
import os
import re
from pathlib import Path
from typing import IO

from django.conf import settings
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import pluralize
from django.utils import timezone, translation

from actions.selectors import ExportRow
from adoptboard.text import printable
from meetings.models import Board

from . import stamping, typst_compile
from .pdf import with_break_points

PDF = "application/pdf"
TEMPLATE = Path(settings.BASE_DIR) / "templates" / "documents" / "action_log.typ"

# The whole log is typeset PIECE_ROWS rows at a time and the pieces joined: Typst's memory grows
# with the document (~160 MB for 500 bench rows, ~340 MB for 2,000), its time per row (~1 ms of
# CPU) does not. At 10,000 bench rows (bench/log_pdf.py) pieces of 500 peaked at 225 MB in one
# process, pieces of 1,000 at 304 MB.
PIECE_ROWS = 500
# A long log's pieces are typeset in this many processes at once (_typesetter).
PROCESSES = min(2, os.cpu_count() or 1)

# "Page N of M", stamped on every page once the pieces are joined, where WeasyPrint printed it
# (16 mm from the right edge, its baseline 22.74 pt above the foot); the template's "Issued …"
# footer sits on the same baseline.
FOOTER_BASELINE_PT = 22.74
LANDSCAPE_PAGE_NUMBER = {"right_pt": 16 * 72 / 25.4, "baseline_pt": FOOTER_BASELINE_PT}

# Very long words get break points (documents.pdf.with_break_points: U+200B, which the template
# turns into an empty box, no character in the PDF's text). Typst would otherwise run them off the page.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# A row with a cell longer than this (in characters) may not fit one page: it may break across
# pages, as CSS's `break-inside: avoid` lets a row taller than the page do; others stay whole.
# ~1,500 characters of action fill a page's height in its column, ~400 of status note in its own.
BREAKABLE_ACTION = 1200
BREAKABLE_NOTE = 300


def text(value) -> str:
    """A value as the HTML documents print it: control characters out, runs of white space one
    space, very long words given break points."""
    return with_break_points(_HTML_SPACE.sub(" ", printable(str(value or ""))).strip())


def _date(value: datetime.date | None, fmt: str) -> str | None:
    return None if value is None else _format_date(value, fmt, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _format_date(value: datetime.date, fmt: str, language: str | None) -> str:
    # Django's date filter, as the templates wrote it (month names in `language`); a log's dates
    # repeat, and the filter is slow.
    return format_date(value, fmt)


def _export_row(a) -> ExportRow:
    """An action of the log (a model instance from `action_log`) as the exports' plain row."""
    last = a.last_update_at
    return ExportRow(
        a.number,
        a.text,
        a.responsible_label(),
        a.issued_on,
        a.due_date,
        None,
        a.get_status_display(),
        a.status_note,
        timezone.localtime(last).date() if last else None,
        a.last_update_note or "",
    )


def _row(a: ExportRow) -> list:
    action, status_note = text(a.text), text(a.status_note)
    update_note = text(a.last_update_note) if a.last_update_on else ""
    breakable = (
        len(action) > BREAKABLE_ACTION or len(update_note) > BREAKABLE_ACTION or len(status_note) > BREAKABLE_NOTE
    )
    return [
        str(a.number),
        action,
        text(a.responsible),
        _date(a.issued_on, "M Y") or "",
        _date(a.due_date, "j M Y") or "—",
        text(a.status),
        status_note,
        _date(a.last_update_on, "j M Y"),
        update_note,
        breakable,
    ]


def log_data(
    *,
    board: Board,
    rows: list[list],
    updated_on: datetime.date | None,
    filters: list[tuple[str, str]] | None,
    total: int,
    listed: int,
    continued: bool,
    generated_on: datetime.date,
) -> str:
    """The JSON the template prints: `rows` as _row makes them; `listed` how many the whole PDF
    lists (of `total` matching); a piece after the first (`continued`) has no title block."""
    showing = None
    if filters:
        chosen = "; ".join(f"{label}: {value}" for label, value in filters)
        showing = text(f"Showing: {chosen} ({total} action{pluralize(total)}).")
    warning = None
    if total > listed:
        warning = (
            f"This PDF lists the newest {listed} of {total} actions. "
            "Narrow the filters, or download the CSV or Excel file for all of them."
        )
    return json.dumps(
        {
            "board": text(board.name),
            "updated": f"This action log was updated on {_date(updated_on, 'j F Y')}." if updated_on else None,
            "showing": showing,
            "warning": warning,
            "issued": f"Issued {_date(generated_on, 'j F Y')}",
            "continued": continued,
            "footer_baseline_pt": FOOTER_BASELINE_PT,
            "rows": rows,
        },
        ensure_ascii=False,
    )


@functools.cache
def _source() -> bytes:
    return TEMPLATE.read_bytes()


def action_log_pdf_to(
    out: IO[bytes],
    *,
    board: Board,
    actions,
    updated_on: datetime.date | None,
    filters: list[tuple[str, str]] | None = None,
    total: int | None = None,
    page_numbers: bool = True,
) -> None:
    """`actions` as a landscape table, written to `out`: typeset PIECE_ROWS rows at a time, the
    first piece with the title block, each later one starting a page with the table's header row,
    then joined and every page stamped "Page N of M" (unless `page_numbers` is off, for the board
    pack, which numbers its pages itself). Time grows with the rows, memory stays about one piece's.

    `actions`: the log's rows, as `action_log` gives them (model instances) or as the exports read
    them (`iter_export_rows`, several times faster for a long log). `total` is how many actions
    matched when `actions` holds only the first of them.
    """
    from pypdf import PdfReader, PdfWriter

    rows = [_row(a if isinstance(a, ExportRow) else _export_row(a)) for a in actions]
    generated_on = timezone.localdate()
    pieces = [
        log_data(
            board=board,
            rows=rows[start : start + PIECE_ROWS],
            updated_on=updated_on,
            filters=filters,
            total=total if total is not None else len(rows),
            listed=len(rows),
            continued=start > 0,
            generated_on=generated_on,
        )
        for start in range(0, max(len(rows), 1), PIECE_ROWS)
    ]
    del rows
    writer = PdfWriter()
    with _typesetter(len(pieces)) as typeset_all:
        for index, content in enumerate(typeset_all([(_source(), data) for data in pieces])):
            # strict: Typst's PDFs are well formed; a lenient reader checks every object's offset
            # first (4 s at 10,000 rows).
            reader = PdfReader(io.BytesIO(content), strict=True)
            if index == 0:
                writer.add_metadata(reader.metadata or {})
            for page in reader.pages:
                writer.add_page(page)
            del content, reader
    if page_numbers:
        stamping.number_pages(writer, **LANDSCAPE_PAGE_NUMBER)
    # Each piece embeds its own copy of the fonts: one is enough (5.7 MB at 10,000 rows, 3.1 without).
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer.write(out)


@contextlib.contextmanager
def _typesetter(pieces: int):
    """A map of compile_piece over the pieces, in order: in this process for one piece (a log short
    enough for a request), else in PROCESSES processes at once. Typst lays out a document on one
    core. The processes are spawned, not forked (documents/typst_compile.py), and import
    typst_compile alone: ~0.2 s to start, ~150 MB each at the most."""
    if pieces <= 1 or PROCESSES <= 1:
        yield lambda jobs: map(typst_compile.compile_piece, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(PROCESSES, pieces)) as pool:
        yield lambda jobs: pool.imap(typst_compile.compile_piece, jobs)


def action_log_pdf(**kwargs) -> bytes:
    """The action log as action_log_pdf_to prints it, as bytes (a log short enough for a request)."""
    out = io.BytesIO()
    action_log_pdf_to(out, **kwargs)
    return out.getvalue()


def log_fingerprint(*, board: Board, actions, **kwargs) -> str:
    """A hash of everything the log's PDF prints (the board pack names itself by its parts')."""
    data = log_data(
        board=board,
        rows=[_row(a if isinstance(a, ExportRow) else _export_row(a)) for a in actions],
        listed=len(actions),
        continued=False,
        generated_on=timezone.localdate(),
        **kwargs,
    )
    return hashlib.sha256(data.encode()).hexdigest()
