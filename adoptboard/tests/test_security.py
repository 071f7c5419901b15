"""Hardened settings: login throttling, session rotation, CSP the app's own pages satisfy."""

import re
from pathlib import Path

import pytest
from django.conf import settings

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
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


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
