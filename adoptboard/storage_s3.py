"""Object storage (S3 and S3-compatible services) for the app's files, through django-storages.

Its own module so that boto3 is imported only by installations that use it. Its options come
from the environment, checked at start-up (adoptboard.settings.default_storage).
"""

from storages.backends.s3 import S3Storage

from adoptboard.storage import NoDirectLinks


class ObjectStorage(NoDirectLinks, S3Storage):
    """Private objects in one bucket; app servers read and write them with their keys and keep none."""
