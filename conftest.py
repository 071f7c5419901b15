"""Fixtures shared by every app's tests: a board and its people in each role."""

import datetime
import io
import os
from pathlib import Path

import pytest
import time_machine

# pytest-playwright runs an event loop; pytest-django must still be allowed its sync DB calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", os.path.join(os.path.dirname(__file__), ".playwright"))

from django.contrib.auth import get_user_model
from django.core.cache import cache

from meetings.models import Board, Membership, Person, Role

# Every test but the browser's runs on a fixed clock, so none depends on the day it runs (a
# fixture dated 2030 stays in the future). Browser tests keep the real clock: Chromium judges
# cookie expiry by its own. ADOPTBOARD_TEST_CLOCK=2031-06-01 stands in for a machine whose clock
# says another day: the browser tests run on it, the others still on their fixed clock.
TEST_NOW = datetime.datetime(2026, 11, 30, 9, 30, tzinfo=datetime.UTC)


def _session_clock():
    value = os.environ.get("ADOPTBOARD_TEST_CLOCK")
    return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC) if value else None


@pytest.fixture(scope="session", autouse=True)
def _session_clock_travel():
    at = _session_clock()
    if at is None:
        yield
        return
    with time_machine.travel(at, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    if request.node.get_closest_marker("e2e"):
        yield
        return
    with time_machine.travel(TEST_NOW, tick=True):
        yield


def pytest_collection_modifyitems(config, items):
    """Tests of PostgreSQL's row locks are left out of a SQLite run (SQLite serialises writers)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("postgresql") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


SCREENSHOT_DIR = Path(__file__).resolve().parent / "docs" / "screenshots"


@pytest.fixture
def screenshot(tmp_path):
    """Take a full-page screenshot: into docs/screenshots/ with SCREENSHOTS=1 (`make screenshots`),
    else into the test's temporary directory, so `make test` leaves the checkout as it found it."""
    folder = SCREENSHOT_DIR if os.environ.get("SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A deliberately slow password hash is the point in production and a second per demo load in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rolled-back tests reuse ids and versions: a cache entry must not outlive its test.
    cache.clear()


def make_person(
    username: str, full_name: str, initials: str, *, board: Board | None = None, role: str | None = None, **user_fields
):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, **user_fields)
    person = Person.objects.create(user=user, full_name=full_name, initials=initials, organisation="Test Council")
    if board is not None:
        Membership.objects.create(board=board, person=person, role=role or Role.MEMBER)
    return user


@pytest.fixture
def board(db):
    return Board.objects.create(name="Test Region Adoption Leadership Board", slug="test-alb", short_name="Test ALB")


@pytest.fixture
def other_board(db):
    return Board.objects.create(name="Other Board", slug="other-board", short_name="Other")


@pytest.fixture
def secretary(board):
    return make_person("sec", "Sally Secretary", "SS", board=board, role=Role.SECRETARY)


@pytest.fixture
def chair(board):
    return make_person("chairperson", "Colin Chair", "CC", board=board, role=Role.CHAIR)


@pytest.fixture
def member(board):
    return make_person("mem", "Mary Member", "MM", board=board, role=Role.MEMBER)


@pytest.fixture
def outsider(other_board):
    return make_person("out", "Oscar Outsider", "OO", board=other_board, role=Role.SECRETARY)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser(username="admin", password="pw-admin", email="a@example.org")


@pytest.fixture
def demo_board(db):
    from django.core.management import call_command

    call_command("load_demo", password="demo-pass", stdout=io.StringIO())
    return Board.objects.get(slug="south-east-alb")


class Mailbox:
    """What a real SMTP server on 127.0.0.1 received (aiosmtpd), as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str):
        return [m for m in self.messages if address in m.envelope_to]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port of 127.0.0.1, and Django's SMTP backend pointed at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()


# Playwright drives Debian's Chromium, never a downloaded browser.
@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
