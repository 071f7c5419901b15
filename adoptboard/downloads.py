"""The one way files leave the app: every download is private, never stored by a cache, and named alike."""

import datetime
from collections.abc import Iterable

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify


def download(content, *, content_type: str, filename: str, inline: bool = False):
    """Wrap a document in a response: bytes, an iterable of chunks (streamed), or an open file.

    Board papers and minutes are confidential: no shared or browser cache may keep them.
    """
    if isinstance(content, bytes | str):
        response = HttpResponse(content, content_type=content_type)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    elif isinstance(content, Iterable):
        response = StreamingHttpResponse(content, content_type=content_type)
    else:
        raise TypeError(f"Cannot download a {type(content).__name__}")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def document_filename(board, what: str, extension: str, *, on: datetime.date) -> str:
    """One rule for every file's name: board slug, what it is, the date it is about. e.g.
    "south-east-alb-minutes-2024-02-23.pdf"."""
    return f"{board.slug}-{slugify(what)}-{on:%Y-%m-%d}.{extension}"
