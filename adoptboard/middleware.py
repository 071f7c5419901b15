"""Limits applied before any view, or any other middleware, touches the request."""

import time

from django.conf import settings

from .errors import error_page


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than the largest upload, by its declared length, unread.

    Django reads a body only when something asks for it (CSRF's check reads the form, which
    spools a file upload to disk), so answering here, first in MIDDLEWARE, means an oversized body
    is never read or written anywhere: an anonymous 200 MB post costs a 413, not 200 MB of
    temporary disk before the login redirect. A body without a Content-Length (chunked) is never
    read by Django either — it sees an empty body — so it is refused with 411 rather than
    silently treated as an empty form. The proxy in front should refuse both first
    (nginx: client_max_body_size, see the README).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_UPLOAD_BYTES + settings.REQUEST_BODY_OVERHEAD_BYTES
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                length = int(declared)
            except ValueError:
                length = 0  # Django reads nothing of a body whose length it cannot parse
            if length > limit:
                return error_page(
                    "413.html",
                    413,
                    "This upload is too large",
                    {"largest_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
                )
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return error_page("411.html", 411, "This upload did not say how large it is")
        return self.get_response(request)


class SessionIdleRefreshMiddleware:
    """Keep the idle timeout without writing the session on every request.

    SESSION_SAVE_EVERY_REQUEST wrote one UPDATE and a commit per request (3-4 ms, 6-27 % of a
    page's throughput). Instead a signed-in session is saved — restarting its expiry and its
    cookie's — once its last refresh is SESSION_REFRESH_SECONDS old, so it still ends after
    SESSION_COOKIE_AGE idle seconds, give or take that interval. Anonymous visitors get no session.
    Goes right after SessionMiddleware.
    """

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= refresh_interval():
                session[self.KEY] = now  # marks the session modified: SessionMiddleware saves it
        return self.get_response(request)


def refresh_interval() -> int:
    """A minute, or a tenth of a short idle timeout, so a session never lapses while in use."""
    return max(1, min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 10))


def mark_session_refreshed(sender, request, user, **kwargs):
    """A login saves the session anyway: start its refresh clock there, so the first page after
    it does not write the session again (and every page costs the same queries)."""
    if hasattr(request, "session"):
        request.session[SessionIdleRefreshMiddleware.KEY] = int(time.time())
