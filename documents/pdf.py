"""PDF documents: the app's HTML templates through WeasyPrint, fetching nothing but its own static files.

Renderers are pure: data in, bytes out (views wrap them with adoptboard.downloads), or, for the
whole action log printed in the background, written to a file.
"""

from __future__ import annotations

import datetime
import gc
import io
import mimetypes
import posixpath
import re
import unicodedata
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from adoptboard.text import printable
from meetings.models import Board

from . import stamping
from .data import MeetingPack, log_cut_note

# WeasyPrint resolves the templates' relative URLs against this made-up origin; the fetcher
# below answers for its /static/ files and nothing else.
DOCUMENT_BASE_URL = "https://adoptboard.invalid/"
PDF = "application/pdf"


def static_file_for(url: str) -> Path | None:
    """The file on disk behind one of our own static URLs, or None for anything else."""
    static = urlsplit(settings.STATIC_URL)
    # STATIC_URL may be a path ("static/") resolved against our made-up base, or absolute (a CDN).
    origin = urlsplit(DOCUMENT_BASE_URL) if not static.netloc else static
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc) or parts.query:
        return None
    prefix = "/" + static.path.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    relative = posixpath.normpath(unquote(parts.path[len(prefix) :]))
    if relative.startswith(("../", "/")) or relative in ("..", "."):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the app's static files; refuses the network, file:// and everything else.

        Documents hold user text; even though it is escaped, nothing in them may make the
        server fetch a URL.
        """

        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                raise ValueError(f"Documents may only use the app's static files, not {url[:100]}")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticOnlyFetcher(fail_on_errors=False)


# A document bound into the board pack, or printed in pieces, drops its own "Page 2 of 5": one
# number for the whole is stamped on every page instead (documents/pack.py, action_log_pdf_to).
NO_PAGE_NUMBERS_CSS = "@page { @bottom-right { content: none !important; } }"


# Very long words: Pango, asked to wrap one (CSS overflow-wrap: anywhere), searches the whole word for
# each line's break point, so 25 actions of 5,000 letters without a space took over 30 s to print.
# A zero-width space every few characters gives it break points ready-made (seconds instead); WeasyPrint
# leaves the character out of the PDF's text, so copying and searching the PDF still find the word.
# Only here, for print: Word, Excel and CSV keep the exact text.
LONG_RUN = 30  # characters without a break before a word is given break points
BREAK_EVERY = 20
ZERO_WIDTH_SPACE = "\u200b"
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_LONG_WORD = re.compile(rf"[^ \t\n\r\f]{{{LONG_RUN + 1},}}")
# One character of text: an entity as the template escaped it (kept whole), or one code point.
_CHARACTER = re.compile(r"&#?\w+;|.", re.DOTALL)


def _joins_previous(character: str, previous: str) -> bool:
    """Whether the two belong to one printed letter: an accent, variation selector or emoji joiner."""
    return previous == "\u200d" or character == "\u200d" or unicodedata.category(character[0]) in ("Mn", "Mc", "Me")


def _with_break_points(word: re.Match) -> str:
    out, count, previous = [], 0, ""
    for character in _CHARACTER.findall(word.group()):
        if count >= BREAK_EVERY and not _joins_previous(character, previous):
            out.append(ZERO_WIDTH_SPACE)
            count = 0
        out.append(character)
        count += 1
        previous = character
    return "".join(out)


def break_long_words(html: str) -> str:
    """The document with a zero-width space every BREAK_EVERY characters of any very long word.

    Only the body's text is touched: tags, attributes (URLs) and the head stay exact.
    """
    head, body_tag, body = html.partition("<body")
    if not body_tag:
        return html
    parts = _TAG_OR_TEXT.split(body)
    # Even indexes are text between tags; the first is the rest of the <body ...> tag itself.
    for index in range(2, len(parts), 2):
        if len(parts[index]) > LONG_RUN:
            parts[index] = _LONG_WORD.sub(_with_break_points, parts[index])
    return head + body_tag + "".join(parts)


def html_to_pdf(html: str, *, page_numbers: bool = True) -> bytes:
    # Imported here: loading WeasyPrint costs half a second, which no other page should pay.
    import weasyprint

    # Control characters mean nothing in print, and some upset the HTML parser: out.
    html = break_long_words(printable(html))
    document = weasyprint.HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=_url_fetcher())
    stylesheets = None if page_numbers else [weasyprint.CSS(string=NO_PAGE_NUMBERS_CSS)]
    return document.write_pdf(stylesheets=stylesheets)


def agenda_html(pack: MeetingPack) -> str:
    return render_to_string("documents/agenda.html", {"pack": pack, "board": pack.board, "meeting": pack.meeting})


def minutes_html(pack: MeetingPack) -> str:
    context = {"pack": pack, "board": pack.board, "meeting": pack.meeting}
    if pack.log_total:
        context["log_cut_note"] = log_cut_note(pack)
    return render_to_string("documents/minutes.html", context)


def agenda_pdf(pack: MeetingPack) -> bytes:
    return html_to_pdf(agenda_html(pack))


def minutes_pdf(pack: MeetingPack) -> bytes:
    return html_to_pdf(minutes_html(pack))


def action_log_pdf(
    *,
    board: Board,
    actions,
    updated_on: datetime.date | None,
    filters: list[tuple[str, str]] | None = None,
    total: int | None = None,
) -> bytes:
    """The action log (or the filtered part of it) as a landscape table.

    `total` is how many actions matched when `actions` holds only the first of them.
    """
    return html_to_pdf(
        action_log_html(board=board, actions=actions, updated_on=updated_on, filters=filters, total=total)
    )


def action_log_html(
    *,
    board: Board,
    actions,
    updated_on: datetime.date | None,
    filters: list[tuple[str, str]] | None = None,
    total: int | None = None,
    listed: int | None = None,
    continued: bool = False,
    generated_on: datetime.date | None = None,
) -> str:
    """`listed` is how many actions the whole PDF lists when `actions` is one of its pieces; a
    piece after the first (`continued`) has only the table, under the running header."""
    return render_to_string(
        "documents/action_log.html",
        {
            "board": board,
            "actions": actions,
            "updated_on": updated_on,
            "filters": filters or [],
            "total": total if total is not None else len(actions),
            "listed": listed if listed is not None else len(actions),
            "continued": continued,
            "generated_on": generated_on or timezone.localdate(),
        },
    )


# The whole log is printed LOG_CHUNK_ROWS rows at a time and the pieces joined. WeasyPrint's layout
# of one table grows faster than its rows and holds them all in memory (10,000 rows in one table:
# 3.4 min, 1.7 GB peak). Measured on 1,200 rows: pieces of 100-600 rows cost about the same per row
# (~10-12 ms), 50 more (each piece sets up its fonts); memory grows ~15 MB per 100 rows of a piece.
LOG_CHUNK_ROWS = 300
# Where WeasyPrint prints "Page N of M" on a landscape page (static/css/documents.css: @bottom-right,
# 16 mm from the right edge, its line centred in the 18 mm bottom margin): the pieces get it there.
LANDSCAPE_PAGE_NUMBER = {"right_pt": 16 * 72 / 25.4, "baseline_pt": 22.74}


def page_number_text(number: int, total: int) -> str:
    return f"Page {number} of {total}"


def action_log_pdf_to(
    out: IO[bytes],
    *,
    board: Board,
    actions,
    updated_on: datetime.date | None,
    filters: list[tuple[str, str]] | None = None,
) -> None:
    """All of `actions` as action_log_pdf prints them, written to `out`, in pieces of LOG_CHUNK_ROWS
    rows: the first with the title block, each later one starting a page with the table's header
    row. Time grows with the rows, memory stays about one piece's. Each piece ends on a page of
    its own, so the whole has a few more pages than one table would."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    generated_on = timezone.localdate()
    try:
        for start in range(0, max(len(actions), 1), LOG_CHUNK_ROWS):
            html = action_log_html(
                board=board,
                actions=actions[start : start + LOG_CHUNK_ROWS],
                updated_on=updated_on,
                filters=filters,
                total=len(actions),
                listed=len(actions),
                continued=start > 0,
                generated_on=generated_on,
            )
            reader = PdfReader(io.BytesIO(html_to_pdf(html, page_numbers=False)))
            if start == 0:
                writer.add_metadata(reader.metadata or {})
            for page in reader.pages:
                writer.add_page(page)
            # WeasyPrint's boxes hold reference cycles: free this piece's before laying out the next.
            del html, reader
            gc.collect()
            # What is left (the actions, the pages so far) lives to the end: set aside, so the next
            # collection looks at the next piece's objects only (all of them: 10% of the time at 10,000 rows).
            gc.freeze()
    finally:
        gc.unfreeze()
    pages = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        stamping.stamp(page, page_number_text(number, pages), **LANDSCAPE_PAGE_NUMBER)
        # merge_page leaves the page's content uncompressed; pack it again.
        page.compress_content_streams()
    writer.write(out)
