"""Background tasks and the site address from the environment: immediate tasks by default (no other
process), the database queue for production; SITE_URL for email's links; anything else stops the app."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_tasks import task_backends

from adoptboard.settings import retry_delays, site_url, tasks_settings


def test_the_immediate_backend_is_the_default():
    assert tasks_settings({}) == {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"


def test_the_database_backend_queues_for_the_worker():
    assert tasks_settings({"TASKS_BACKEND": " Database "}) == {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"}
    }
    assert "django_tasks_db" in settings.INSTALLED_APPS


def test_an_unknown_backend_stops_the_app():
    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND must be one of"):
        tasks_settings({"TASKS_BACKEND": "celery"})


def test_site_url_makes_the_links_in_email():
    assert site_url({}) == "http://127.0.0.1:8000"
    assert site_url({"SITE_URL": " https://board.example.org/ "}) == "https://board.example.org"
    for bad in ("board.example.org", "ftp://board.example.org", "https://", "https://a b"):
        with pytest.raises(ImproperlyConfigured, match="SITE_URL must be the app's address"):
            site_url({"SITE_URL": bad})


def test_retry_delays_are_seconds():
    assert retry_delays({}) == [60, 300, 1800, 7200]
    assert retry_delays({"EMAIL_RETRY_DELAYS": "1, 2"}) == [1, 2]
    for bad in ("", "soon", "0,5", "-1"):
        with pytest.raises(ImproperlyConfigured, match="EMAIL_RETRY_DELAYS must be seconds"):
            retry_delays({"EMAIL_RETRY_DELAYS": bad})
