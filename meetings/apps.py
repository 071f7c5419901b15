import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def use_sqlite_parameter_limit(sender, connection, **kwargs):
    """Let bulk writes on SQLite batch up to the library's real limit on query parameters.

    Django 5.2 assumes SQLite's pre-3.32 default of 999, so saving a review of 300 actions with
    their history took 16 INSERT/UPDATE statements instead of 4. The library reports its limit.
    """
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Boards and meetings"

    def ready(self):
        connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="adoptboard-sqlite-parameter-limit")
        from django.urls import register_converter

        from adoptboard import checks  # noqa: F401  (registers the deploy checks)
        from adoptboard.fields import IdConverter

        # <id:pk> in every app's URLs; registered before any URLconf is imported.
        register_converter(IdConverter, "id")
