"""PDF documents: the app's HTML templates through WeasyPrint, fetching nothing but its own static files.

Renderers are pure: data in, bytes out (views wrap them with adoptboard.downloads). The action log
printed as its own PDF is Typst's (documents/typeset.py).
"""

from __future__ import annotations

import io
import mimetypes
import posixpath
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from adoptboard.text import printable

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


# A document bound into the board pack drops its own "Page 2 of 5": one number for the whole is
# stamped on every page instead (documents/pack.py).
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


def with_break_points(text: str) -> str:
    """`text` with a zero-width space every BREAK_EVERY characters of any run of more than LONG_RUN
    without a space (an escaped entity counts as one character). The Typst log's text too."""
    return _LONG_WORD.sub(_with_break_points, text) if len(text) > LONG_RUN else text


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
        parts[index] = with_break_points(parts[index])
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


def minutes_html(pack: MeetingPack, *, part: str = "whole", log_rows: list | None = None) -> str:
    """The minutes, or one `part` of them printed in pieces (minutes_pdf): "body" (all but the
    action log), "annex" (the log's heading and notes, and `log_rows`), "annex-rows" (`log_rows`
    alone); the annex's parts under the running header."""
    context = {
        "pack": pack,
        "board": pack.board,
        "meeting": pack.meeting,
        "part": part,
        "log_rows": pack.action_log if log_rows is None else log_rows,
    }
    if pack.log_total:
        context["log_cut_note"] = log_cut_note(pack)
    return render_to_string("documents/minutes.html", context)


def agenda_pdf(pack: MeetingPack) -> bytes:
    return html_to_pdf(agenda_html(pack))


# Minutes whose action log (their closing annex) has more rows than this are printed in pieces: the
# body, then the annex from a page of its own, this many rows a piece. The benchmark's longest
# (1,388 rows under the items, 3,052 in the log) as one document: 489 MB peak in the job; in pieces
# of 150, 300 or 600 rows: 191 MB (the body, the biggest piece, sets it), of 1,000: 230 MB; time
# within a few % of one document (bench/minutes_job.py). 600: that peak with the fewest pieces,
# and any minutes a request prints (documents/views.py MINUTES_PDF_MAX_ROWS) stay one document.
MINUTES_CHUNK_ROWS = 600
# Where WeasyPrint prints "Page N of M" on a portrait page (static/css/documents.css: @bottom-right,
# 18 mm from the right edge, its line centred in the 20 mm bottom margin): the pieces get it there.
PORTRAIT_PAGE_NUMBER = {"right_pt": 18 * 72 / 25.4, "baseline_pt": 25.57}


def minutes_pdf(pack: MeetingPack) -> bytes:
    """The minutes as one PDF: printed whole when the action log fits in one piece, else in pieces
    (time grows with the rows, memory stays about one piece's), numbered as one."""
    rows = pack.action_log
    if len(rows) <= MINUTES_CHUNK_ROWS:
        return html_to_pdf(minutes_html(pack))

    def pieces():
        # The body alone: its own rows (those raised under the items) cost as much as the log's.
        yield html_to_pdf(minutes_html(pack, part="body"), page_numbers=False)
        for start in range(0, len(rows), MINUTES_CHUNK_ROWS):
            part = "annex" if start == 0 else "annex-rows"
            html = minutes_html(pack, part=part, log_rows=rows[start : start + MINUTES_CHUNK_ROWS])
            yield html_to_pdf(html, page_numbers=False)

    out = io.BytesIO()
    stamping.join_numbered(out, pieces(), **PORTRAIT_PAGE_NUMBER)
    return out.getvalue()
