"""Object storage (S3 and S3-compatible services) for the app's files, through django-storages.

Its own module so that boto3 is imported only by installations that use it. Its options come
from the environment, checked at start-up (adoptboard.settings.storage_from_environ).
"""

from boto3.s3.transfer import TransferConfig
from storages.backends.s3 import S3Storage

from adoptboard.storage import NoDirectLinks


class ObjectStorage(NoDirectLinks, S3Storage):
    """Private objects in one bucket; app servers read and write them with their keys and keep none."""

    def get_default_settings(self):
        # One connection at a time per transfer. boto3's default fetches a paper in parallel ranges
        # and holds the parts that arrive early in memory: a 20 MB download peaked at 37 MB of a
        # worker's memory that way, and at 6 MB read in order into the 5 MB spooled buffer
        # (bench/storage.py). Papers are at most 20 MB: parallel parts would buy little.
        return {**super().get_default_settings(), "transfer_config": TransferConfig(use_threads=False)}
