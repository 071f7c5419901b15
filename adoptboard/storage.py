"""Where the app keeps the files people upload and the documents it stores: one storage, named by
the environment (settings.STORAGES["default"]: this disk, or object storage in adoptboard.storage_s3).

Stored files are confidential board papers. Nothing may link to them directly: no storage here
hands out a URL (MEDIA_URL on disk, a signed link in object storage), and a model's file `.url` is
the app's access-checked view that serves it (CheckedFileField). Files are read and written
through the storage API only (open, save, delete, exists), never through a path on this server.
"""

from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.fields.files import FieldFile


class NoDirectLinks:
    """A storage that never gives out an address of its own for a file."""

    def url(self, name, *args, **kwargs):
        raise NotImplementedError(
            f"Stored files are served only through the app's access-checked views, never by a direct link ({name!r})."
        )


class LocalStorage(NoDirectLinks, FileSystemStorage):
    """Files under MEDIA_ROOT on this server: `make run`, the tests, a single-server installation."""


class CheckedFieldFile(FieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        return getattr(self.instance, self.field.url_method)()


class CheckedFileField(models.FileField):
    """A FileField whose `.url` is its object's `get_absolute_url()` — the access-checked view that
    serves the file (or the method named by `url_method`) — so the admin's "Currently:" link, and any template, go through the access check.

    Stored exactly like a FileField (its migrations say FileField: nothing changes in the database).
    """

    attr_class = CheckedFieldFile

    def __init__(self, *args, url_method: str = "get_absolute_url", **kwargs):
        # A model with several files names the method giving each one's view.
        self.url_method = url_method
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs
