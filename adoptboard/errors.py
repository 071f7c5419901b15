"""Pages for things that go wrong: the app's own, drawn without the database.

They are rendered without a request, so no context processor runs (the navigation counts open
actions with a query): an outage of the database must not take its own error page down with it.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# If even the template cannot be drawn (a static file missing from the manifest, say), a person
# still gets a sentence rather than the server's bare text.
FALLBACK = (
    "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>AdoptBoard</title></head>"
    "<body><h1>{heading}</h1><p>Please try again in a few minutes.</p></body></html>"
)


def error_page(template: str, status: int, heading: str, context: dict | None = None) -> HttpResponse:
    try:
        content = render_to_string(template, context or {})
    except Exception:
        logger.exception("the error page %s could not be drawn", template)
        content = FALLBACK.format(heading=heading)
    return HttpResponse(content, status=status, content_type="text/html; charset=utf-8")


def is_database_outage(exc: BaseException | None) -> bool:
    """The database is unreachable or its connection broke, here or anywhere in the exception's chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request) -> HttpResponse:
    """handler500: the app's 500 page, or 503 when the database is out (no details either way).

    Django calls it inside its `except` block, so the exception is still sys.exc_info(); the
    traceback has already been logged (django.request) for whoever runs the service.
    """
    if is_database_outage(sys.exc_info()[1]):
        response = error_page("503.html", 503, "AdoptBoard cannot reach its database just now")
        response["Retry-After"] = "60"
        return response
    return error_page("500.html", 500, "Something went wrong on our side")
