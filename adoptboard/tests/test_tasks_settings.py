"""Background tasks from the environment: immediate by default (no other process), the database queue
for production; anything else stops the app."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_tasks import task_backends

from adoptboard.settings import tasks_settings


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


def test_site_url_makes_the_links_in_email(settings):
    assert settings.SITE_URL == "http://127.0.0.1:8000"
