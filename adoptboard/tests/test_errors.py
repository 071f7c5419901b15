"""Errors a person can read: the app's own 500 and 503 pages, settings refused at start-up."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, connection
from django.template.loader import render_to_string
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
DETAILS = ("Traceback", "secret detail", "SELECT", "OperationalError", "InterfaceError", "5432", "psycopg")


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "adoptboard.tests.urls_failing"
    # As a browser meets it: the failure becomes a page, not an exception in the test.
    return Client(raise_request_exception=False)


def assert_no_details(page: str):
    for detail in DETAILS:
        assert detail not in page, detail


def test_a_failing_view_shows_the_apps_own_500_page(production, member):
    production.force_login(member)
    response = production.get("/fails/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and "<title>Something went wrong · AdoptBoard</title>" in page
    assert_no_details(page)


def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def lose_the_connection(execute, sql, params, many, context):
    raise InterfaceError("connection already closed")


@pytest.mark.parametrize("outage", [refuse_every_query, lose_the_connection])
@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        ("member", "get", "/"),
        ("member", "get", "/boards/south-east-alb/actions/"),
        ("secretary", "post", "/boards/south-east-alb/forward-plan/topics/"),
        (None, "post", "/accounts/login/"),
    ],
)
def test_a_database_outage_answers_503_with_the_apps_page_and_no_details(
    production, demo_board, outage, who, method, path
):
    from django.contrib.auth import get_user_model

    if who:
        production.force_login(get_user_model().objects.get(username=who))
    data = {"username": "member", "password": "demo-pass"} if who is None else {"title": "Kinship"}
    with connection.execute_wrapper(outage):
        response = getattr(production, method)(path, data) if method == "post" else production.get(path)
    assert response.status_code == 503, path
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "AdoptBoard cannot reach its database just now" in page
    assert_no_details(page)


def test_the_error_pages_are_drawn_without_the_database():
    # No `db` fixture: pytest-django refuses any query here, so a page that needed one would fail.
    for template in ("500.html", "503.html", "413.html", "411.html"):
        assert "AdoptBoard" in render_to_string(template)


# --- Settings refused at start-up -------------------------------------------------------------


def load_settings(monkeypatch, **env):
    """Run adoptboard/settings.py afresh with these environment variables (Django's own settings untouched)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_under_test", ROOT / "adoptboard" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 50}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSION_IDLE_SECONDS": "0"}, "SESSION_IDLE_SECONDS must be at least 60, not 0"),
        ({"SESSION_IDLE_SECONDS": "-7200"}, "SESSION_IDLE_SECONDS must be at least 60, not -7200"),
        ({"SESSION_IDLE_SECONDS": "two hours"}, "SESSION_IDLE_SECONDS must be an integer, not 'two hours'"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT must be at least 1, not 0"),
        ({"AXES_FAILURE_LIMIT": "-5"}, "AXES_FAILURE_LIMIT must be at least 1, not -5"),
        ({"CONN_MAX_AGE": "-1"}, "CONN_MAX_AGE must be at least 0, not -1"),
        ({**PRODUCTION, "SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS must be at least 0, not -1"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
    ],
)
def test_settings_refuse_nonsense_values_with_a_clear_message(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)


def test_settings_accept_sensible_edge_values(monkeypatch):
    module = load_settings(monkeypatch, SESSION_IDLE_SECONDS="60", AXES_FAILURE_LIMIT="1", CONN_MAX_AGE="0")
    assert (module.SESSION_COOKIE_AGE, module.LOGIN_FAILURE_LIMIT) == (60, 1)
    assert module.DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_the_app_does_not_start_with_a_zero_idle_timeout():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["SESSION_IDLE_SECONDS"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SESSION_IDLE_SECONDS must be at least 60, not 0" in result.stderr
