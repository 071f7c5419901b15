"""The board pack: one PDF of everything the chair circulates before a meeting.

A cover and a contents page with page numbers; the agenda; the last meeting's minutes; the open
action log; then every PDF paper in agenda order. One bookmark per section and per item, and one
continuous page number stamped on every page (the app's own documents drop their "Page 2 of 5"
in the pack). Word and Excel papers are listed with a link to download them, not converted; a PDF
paper that cannot be read (damaged, or locked by a password) is listed as not included.

Built with pypdf over the app's own documents (WeasyPrint's; the action log's Typst's) into a
temporary file, then kept in the default storage under a hash of everything the pack holds: the
next request for an unchanged pack is served from there, and any change (an item, a paper, a
minute, an action, a name) makes a new hash, so a new pack.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import OPEN_STATUSES
from actions.selectors import action_log, log_updated_at
from meetings.models import Board, Meeting, Paper
from meetings.permissions import minutes_released
from meetings.selectors import previous_meeting_of

from . import data, pdf, stamping, typeset

logger = logging.getLogger(__name__)

# Part of every pack's hash: change it when the pack's layout changes, so stored packs are rebuilt.
PACK_FORMAT = "pack-2"
OPEN_LOG_MAX_ROWS = 500
# A 20 MB file can hold tens of thousands of tiny pages; each costs time to copy and number.
PAPER_MAX_PAGES = 500
STAMP_FROM_BOTTOM_PT = 16

KINDS = {".pdf": "pdf", ".doc": "Word", ".docx": "Word", ".xls": "Excel", ".xlsx": "Excel"}


@dataclass
class PackPaper:
    paper: Paper
    kind: str  # "pdf", "Word" or "Excel"
    url: str
    problem: str = ""  # why a PDF paper is not in the pack
    pages: int = 0
    first_page: int = 0  # in the pack, from 1

    @property
    def included(self) -> bool:
        return self.kind == "pdf" and not self.problem and self.pages > 0


@dataclass
class PackItem:
    number: int
    title: str
    papers: list[PackPaper]
    first_page: int = 0


@dataclass
class Section:
    """One of the pack's own documents (agenda, minutes, action log), or a line saying why it is absent."""

    key: str
    title: str
    html: str = ""
    # Or a PDF kept in the storage, or typeset (the action log, documents/typeset.py), named in
    # the pack's hash by `fingerprint`.
    stored: FieldFile | None = None
    typeset: Callable[[], bytes] | None = None
    fingerprint: str = ""
    note: str = ""
    pages: int = 0
    first_page: int = 0

    @property
    def fingerprint_or_html(self) -> str:
        return self.fingerprint or hashlib.sha256(self.html.encode()).hexdigest()

    def has_part(self) -> bool:
        return bool(self.html or self.stored or self.typeset)

    def render(self) -> bytes:
        if self.stored:
            with self.stored.storage.open(self.stored.name, "rb") as handle:
                return handle.read()
        if self.typeset:
            return self.typeset()
        return pdf.html_to_pdf(self.html, page_numbers=False)


@dataclass
class PackSources:
    """Everything a meeting's pack holds, gathered without rendering any PDF: enough to name the pack."""

    board: Board
    meeting: Meeting
    agenda: data.MeetingPack
    sections: list[Section]
    items: list[PackItem]
    base_url: str
    generated_on: datetime.date = field(default_factory=timezone.localdate)
    front_pages: int = 0
    total_pages: int = 0

    def digest(self) -> str:
        """A hash of everything in the pack: the same for the same contents, new for any change."""
        h = hashlib.sha256()

        def put(*values):
            for value in values:
                h.update(str(value).encode())
                h.update(b"\0")

        put(PACK_FORMAT, self.base_url, self.board.name, self.meeting.pk, self.meeting.title, self.generated_on)
        for s in self.sections:
            put(s.key, s.title, s.note, s.fingerprint_or_html)
        for item in self.items:
            put("item", item.number, item.title)
            for p in item.papers:
                put("paper", p.paper.pk, p.paper.title, p.paper.file.name, p.paper.uploaded_at.isoformat(), p.kind)
        return h.hexdigest()


def last_minutes(meeting: Meeting) -> Section:
    """The previous meeting's minutes: approved, the PDF frozen at the approval; else the draft, as
    HTML for the pack, once every member may read it.

    The pack is the same for everyone on the board, so draft minutes that members may not see yet
    are left out with a note.
    """
    previous = previous_meeting_of(meeting)
    if previous is None:
        return Section("minutes", "Minutes of the last meeting", note="This is the board's first meeting.")
    previous.board = meeting.board
    title = f"Minutes of the meeting on {previous.date:%-d %B %Y}"
    if not minutes_released(previous):
        return Section("minutes", title, note="Not circulated yet.")
    if previous.is_locked:
        version = previous.minutes_versions.order_by("-number").first()
        # Minutes approved before versions were kept have none: they are rendered, as the download does.
        if version is not None:
            return Section(
                "minutes",
                f"{title} (approved)",
                stored=version.pdf,
                fingerprint=f"version {version.pk} {version.pdf_sha256}",
            )
    return Section("minutes", title, html=pdf.minutes_html(data.meeting_pack(previous)))


def open_log(board: Board) -> Section:
    """The board's open actions as the action log's PDF prints them, newest first."""
    actions = list(action_log(board).filter(status__in=OPEN_STATUSES)[: OPEN_LOG_MAX_ROWS + 1])
    total = len(actions)
    if total > OPEN_LOG_MAX_ROWS:
        total = action_log(board).filter(status__in=OPEN_STATUSES).count()
    updated = log_updated_at(board)
    log = {
        "board": board,
        "actions": actions[:OPEN_LOG_MAX_ROWS],
        "updated_on": timezone.localtime(updated).date() if updated else None,
        "filters": [("Status", "open or in progress")],
        "total": total,
    }
    return Section(
        "actions",
        "Open actions",
        typeset=functools.partial(typeset.action_log_pdf, **log, page_numbers=False),
        fingerprint=f"log {typeset.log_fingerprint(**log)}",
    )


def pack_sources(meeting: Meeting, *, base_url: str) -> PackSources:
    """What the pack of `meeting` holds; `base_url` makes the links to Word and Excel papers absolute."""
    board = meeting.board
    agenda = data.meeting_pack(meeting, with_log=False)
    root = base_url.rstrip("/")
    items = []
    for s in agenda.items:
        papers = []
        for paper in s.papers:
            extension = "." + paper.file.name.rsplit(".", 1)[-1].lower() if "." in paper.file.name else ""
            url = root + reverse("meetings:paper-download", args=[board.slug, meeting.pk, s.item.pk, paper.pk])
            papers.append(PackPaper(paper=paper, kind=KINDS.get(extension, "file"), url=url))
        items.append(PackItem(number=s.number, title=s.item.title, papers=papers))
    sections = [
        Section("agenda", "Agenda", html=pdf.agenda_html(agenda)),
        last_minutes(meeting),
        open_log(board),
    ]
    return PackSources(board=board, meeting=meeting, agenda=agenda, sections=sections, items=items, base_url=base_url)


# --- Building ----------------------------------------------------------------------------------


def _add_paper(writer, paper: PackPaper) -> None:
    """Append a PDF paper's pages, read through the storage; on any failure note why and add nothing."""
    from pypdf import PasswordType, PdfReader

    start = len(writer.pages)
    try:
        with paper.paper.file.storage.open(paper.paper.file.name, "rb") as handle:
            reader = PdfReader(handle)
            # A PDF locked only against editing opens with the empty password, as in any viewer.
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                paper.problem = "it is protected by a password"
                return
            if len(reader.pages) > PAPER_MAX_PAGES:
                paper.problem = f"it has more than {PAPER_MAX_PAGES} pages"
                return
            for page in reader.pages:
                writer.add_page(page)
    except FileNotFoundError:
        paper.problem = "the file is missing"
    except Exception:  # pypdf raises many kinds of error on a damaged file
        logger.warning("Paper %s left out of the board pack: unreadable PDF", paper.paper.pk, exc_info=True)
        paper.problem = "the file is damaged or is not a PDF"
    else:
        paper.pages = len(writer.pages) - start
        if not paper.pages:
            paper.problem = "it has no pages"
        return
    # Pages added before the failure leave again.
    while len(writer.pages) > start:
        del writer.pages[-1]
    paper.pages = 0


def _page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def _number_pages(sources: PackSources, front_pages: int) -> None:
    page = front_pages + 1
    for s in sources.sections:
        s.first_page = page if s.pages else 0
        page += s.pages
    agenda_page = sources.sections[0].first_page
    for item in sources.items:
        item.first_page = 0
        for p in item.papers:
            if p.included:
                p.first_page = page
                item.first_page = item.first_page or page
                page += p.pages
        item.first_page = item.first_page or agenda_page
    sources.front_pages = front_pages
    sources.total_pages = page - 1


def front_html(sources: PackSources) -> str:
    return render_to_string(
        "documents/pack_front.html",
        {
            "pack": sources.agenda,
            "board": sources.board,
            "meeting": sources.meeting,
            "sources": sources,
            "sections": sources.sections,
            "items": sources.items,
        },
    )


def _front_matter(sources: PackSources) -> bytes:
    """Cover and contents. The contents' numbers depend on their own length: render until it holds."""
    front_pages = 2
    for _ in range(5):
        _number_pages(sources, front_pages)
        content = pdf.html_to_pdf(front_html(sources), page_numbers=False)
        pages = _page_count(content)
        if pages == front_pages:
            return content
        front_pages = pages
    raise RuntimeError("The pack's contents would not settle on a page count")


def stamp_text(number: int, total: int) -> str:
    return f"Pack page {number} of {total}"


def build(sources: PackSources, out: IO[bytes]) -> None:
    """Write the pack for `sources` to `out`."""
    from pypdf import PdfReader, PdfWriter

    # The app's own documents first, while the writer is still empty (WeasyPrint's layout is the
    # build's largest passing cost); kept as their PDF bytes, a few hundred KB.
    own = []
    for s in sources.sections:
        if s.has_part():
            content = s.render()
            s.pages = _page_count(content)
            own.append(content)
    writer = PdfWriter()
    # Then the papers, each read once from the storage: the contents need their page counts, so
    # the cover and contents, and the documents above, go in before them afterwards.
    for item in sources.items:
        for paper in item.papers:
            if paper.kind == "pdf":
                _add_paper(writer, paper)
    front = _front_matter(sources)
    at = 0
    for content in [front, *own]:
        for page in PdfReader(io.BytesIO(content)).pages:
            writer.insert_page(page, at)
            at += 1
    del own, front

    # Bookmarks: a section each, then every item (at its first paper, or the agenda), its papers under it.
    writer.add_outline_item(title="Cover", page_number=0)
    writer.add_outline_item(title="Contents", page_number=1)
    for s in sources.sections:
        if s.pages:
            writer.add_outline_item(title=s.title, page_number=s.first_page - 1)
    if sources.items:
        first = sources.items[0].first_page
        papers = writer.add_outline_item(title="Items and papers", page_number=first - 1)
        for item in sources.items:
            parent = writer.add_outline_item(
                title=f"Item {item.number}: {item.title}", page_number=item.first_page - 1, parent=papers
            )
            for p in item.papers:
                if p.included:
                    writer.add_outline_item(title=p.paper.title, page_number=p.first_page - 1, parent=parent)

    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        try:
            stamping.stamp(page, stamp_text(number, total), baseline_pt=STAMP_FROM_BOTTOM_PT)
            # merge_page leaves the page's content uncompressed; pack it again.
            page.compress_content_streams()
        except Exception:  # a damaged page keeps its content, unnumbered
            logger.warning("Page %s of a board pack could not be numbered", number, exc_info=True)
    writer.add_metadata({"/Title": f"Board pack: {sources.board.name}, {sources.meeting.date:%-d %B %Y}"})
    writer.write(out)


# --- Serving, from the store when nothing has changed --------------------------------------------


def stored_name(sources: PackSources) -> str:
    return f"packs/{sources.board.slug}/{sources.meeting.pk}/{sources.digest()}.pdf"


def pack_file(meeting: Meeting, *, base_url: str) -> IO[bytes]:
    """An open file of the meeting's pack: the stored one if nothing in it changed, else built now."""
    sources = pack_sources(meeting, base_url=base_url)
    name = stored_name(sources)
    storage = default_storage
    if storage.exists(name):
        return storage.open(name, "rb")
    # On disk, not in memory; unnamed, so it is gone once the response closes it.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        build(sources, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    if not storage.exists(name):
        saved = storage.save(name, File(out, name="pack.pdf"))
        _drop_others(storage, name, keep=saved)
    out.seek(0)
    return out


def _drop_others(storage, name: str, *, keep: str) -> None:
    """Older packs of the meeting (and a twin saved by a request racing this one) are out of date."""
    folder = name.rsplit("/", 1)[0]
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for other in files:
        path = f"{folder}/{other}"
        if path not in (name, keep):
            storage.delete(path)
    if keep != name:
        storage.delete(keep)
