"""`manage.py check --deploy` warns about an installation whose app servers would keep state."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.files, deploy=True)
def papers_in_shared_storage(app_configs, **kwargs):
    if settings.STORAGES["default"]["BACKEND"] != "adoptboard.storage.LocalStorage":
        return []
    return [
        Warning(
            "Uploaded papers are kept on this server's disk (MEDIA_ROOT): a second app server would not see them.",
            hint="Set AWS_STORAGE_BUCKET_NAME and the object storage's settings (README, Storage); with a "
            "single app server, keep MEDIA_ROOT in its backups.",
            id="adoptboard.W001",
        )
    ]


@register(deploy=True)
def email_in_the_background(app_configs, **kwargs):
    """In production mail should not be sent inside requests, nor carry links to a developer's machine."""
    warnings = []
    if settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend"):
        warnings.append(
            Warning(
                "Email is sent inside the request that decides it (TASKS_BACKEND=immediate): pages wait for the "
                "mail server.",
                hint="Set TASKS_BACKEND=database and run `manage.py db_worker` (README, Background work).",
                id="adoptboard.W002",
            )
        )
    if settings.SITE_URL.startswith(("http://127.0.0.1", "http://localhost")):
        warnings.append(
            Warning(
                f"Links in email point at {settings.SITE_URL}.",
                hint="Set SITE_URL to the address people reach the app at, e.g. https://board.example.org.",
                id="adoptboard.W003",
            )
        )
    return warnings
