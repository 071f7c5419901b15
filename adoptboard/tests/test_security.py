"""Hardened settings: login throttling, session rotation, CSP the app's own pages satisfy."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_it_locks_out_after_repeated_failed_logins_with_429(client, member):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "mem", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    locked = client.post("/accounts/login/", {"username": "mem", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    # Locked out: even the right password is refused until the cool-off.
    response = client.post("/accounts/login/", {"username": "mem", "password": "pw-mem"})
    assert response.status_code == 429


def test_a_successful_login_gets_a_new_session_key(client, member):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post("/accounts/login/", {"username": "mem", "password": "pw-mem"})
    assert response.status_code == 302
    assert client.session.session_key != before


def test_pages_send_a_content_security_policy_without_unsafe_inline(client, member):
    client.force_login(member)
    csp = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_session_cookies_are_httponly_and_expire_when_idle():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


def test_a_session_is_saved_once_a_minute_not_on_every_request_and_still_ends_when_idle(client, member):
    """The idle timer restarts on use, but a page view writes the session at most once a minute."""
    from django.contrib.sessions.models import Session
    from django.test.utils import CaptureQueriesContext

    start = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(member)
        assert client.get("/").status_code == 200
        first = _expiry(client)
        clock.shift(30)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        assert _expiry(client) == first
        clock.shift(31)  # a minute since the last save: this request restarts the timer
        response = client.get("/")
        assert response.status_code == 200
        assert _expiry(client) == first + datetime.timedelta(seconds=61)
        assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
        # Idle for longer than the timeout: the session is over.
        clock.shift(settings.SESSION_COOKIE_AGE + 1)
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Anonymous visitors get no stored session.
    client.logout()
    before = Session.objects.count()
    client.get("/accounts/login/")
    assert Session.objects.count() == before


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
]


@pytest.mark.parametrize(
    "template",
    # Documents (rendered to PDF) and email bodies (read by mail clients, which want inline styles)
    # are never served as pages under the CSP.
    sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*.html")
        if "documents" not in p.parts and not p.relative_to(TEMPLATES).as_posix().startswith("notifications/email/")
    ),
)
def test_no_page_template_has_inline_script_or_style(template):
    # Documents (PDF templates) never reach a browser; every page template must satisfy the CSP.
    text = (TEMPLATES / template).read_text()
    found = [label for pattern, label in INLINE if pattern.search(text)]
    assert not found, f"{template}: {found}"
