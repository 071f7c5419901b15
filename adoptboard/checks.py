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
