"""Text stamped at the foot of finished PDF pages with pypdf: the board pack's one continuous page
number (`stamp`, merged into any PDF's pages), and the "Page N of M" of a document made in pieces
(the action log typeset by Typst, long minutes by WeasyPrint), which no piece can count
(`join_numbered` with `append_stamp`, for pages of our own)."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterable
from typing import IO

FONT_SIZE = 8
# The documents' running header and footer grey, #4a5560 (static/css/documents.css).
GREY = "0.29 0.33 0.38"
# Helvetica's widths (per 1000 units of font size) for the characters a stamp uses, to place it.
# Liberation Sans, the documents' font, has the same widths: a stamp lines up as WeasyPrint's text would.
_HELVETICA = {" ": 278, "P": 667, "a": 556, "c": 500, "k": 500, "p": 556, "g": 556, "e": 556, "o": 556, "f": 278}


def text_width(text: str, size: float = FONT_SIZE) -> float:
    # Digits, and anything unlisted, are 556 wide.
    return sum(_HELVETICA.get(c, 556) for c in text) * size / 1000


def stamp(page, text: str, *, baseline_pt: float, right_pt: float | None = None) -> None:
    """Write `text` at the foot of `page`, over whatever is there, with merge_page: its baseline
    `baseline_pt` above the bottom; centred, or ending `right_pt` from the right edge."""
    from pypdf import PageObject
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    if page.get("/Rotate", 0) % 360:
        # Put the rotation into the content, so "the foot of the page" is where a reader sees it.
        page.transfer_rotation_to_content()
    box = page.cropbox  # what a viewer shows (the media box unless the page is cropped)
    width = text_width(text)
    if right_pt is None:
        x = float(box.left) + (float(box.width) - width) / 2
    else:
        x = float(box.right) - right_pt - width
    y = float(box.bottom) + baseline_pt
    overlay = PageObject.create_blank_page(width=float(box.right), height=float(box.top))
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/PageStamp"): font})}
    )
    stream = ContentStream(None, None)
    stream.set_data(f"BT /PageStamp {FONT_SIZE} Tf {GREY} rg {x:.2f} {y:.2f} Td ({text}) Tj ET".encode("ascii"))
    overlay.replace_contents(stream)
    page.merge_page(overlay)


def stamp_font(writer):
    """The stamps' font, added once to `writer` for append_stamp."""
    from pypdf.generic import DictionaryObject, NameObject

    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )


def append_stamp(writer, page, text: str, *, font, baseline_pt: float, right_pt: float) -> None:
    """What `stamp` does, for a page of writer's that the app typeset itself (not rotated, no
    /PageStamp font of its own): the text as a content stream added after the page's own, which
    is left as it is, compressed. merge_page would parse and rewrite the page's content (2.4 s for
    the 680 pages of a 10,000-row log, against 0.1 s)."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    box = page.cropbox
    x = float(box.right) - right_pt - text_width(text)
    y = float(box.bottom) + baseline_pt

    def stream(data: bytes):
        content = DecodedStreamObject()
        content.set_data(data)
        return writer._add_object(content)

    contents = page["/Contents"]
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    # The page's own content in q … Q, so whatever state it leaves does not move the stamp.
    stamp_ops = f"Q BT /PageStamp {FONT_SIZE} Tf {GREY} rg {x:.2f} {y:.2f} Td ({text}) Tj ET"
    page[NameObject("/Contents")] = ArrayObject([stream(b"q"), *existing, stream(stamp_ops.encode("ascii"))])
    resources = page["/Resources"].get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    fonts.get_object()[NameObject("/PageStamp")] = font


def page_number_text(number: int, total: int) -> str:
    return f"Page {number} of {total}"


def number_pages(writer, *, baseline_pt: float, right_pt: float) -> None:
    """ "Page N of M" on every page of `writer`, pages the app made itself (append_stamp)."""
    total = len(writer.pages)
    font = stamp_font(writer)
    for number, page in enumerate(writer.pages, start=1):
        append_stamp(
            writer, page, page_number_text(number, total), font=font, baseline_pt=baseline_pt, right_pt=right_pt
        )


def join_numbered(out: IO[bytes], pieces: Iterable[bytes], *, baseline_pt: float, right_pt: float) -> None:
    """The PDFs `pieces` (made one at a time by the iterable) as one document written to `out`,
    "Page N of M" stamped on every page, its metadata (title, author) the first piece's.

    Each piece is freed before the next is made: WeasyPrint's boxes hold reference cycles, which
    only a collection frees, so memory stays about one piece's."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    try:
        for index, piece in enumerate(pieces):
            reader = PdfReader(io.BytesIO(piece))
            if index == 0:
                writer.add_metadata(reader.metadata or {})
            for page in reader.pages:
                writer.add_page(page)
            del piece, reader
            gc.collect()
            # What is left (the data, the pages so far) lives to the end: set aside, so the next
            # collection looks at the next piece's objects only.
            gc.freeze()
    finally:
        gc.unfreeze()
    number_pages(writer, baseline_pt=baseline_pt, right_pt=right_pt)
    # Each piece embeds its own copy of the fonts: one is enough.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer.write(out)
