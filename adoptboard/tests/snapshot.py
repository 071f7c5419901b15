"""Everything an installation holds, in a form two installations can be compared by.

Used by test_backup.py in the test's own process and, through `python -m adoptboard.tests.snapshot
OUT`, in the process that restored a backup into another database and media root. Written apart
from adoptboard/backup.py on purpose, so a table the backup forgot is not forgotten here too.
"""

import base64
import datetime
import decimal
import json
import sys
import uuid

# Rebuilt by `migrate` in every installation with ids of their own (compared by natural key where
# other rows point at them), and sessions, which a backup does not keep.
NOT_COMPARED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Filled by the database's own triggers as other rows load: the same pairs, with ids of their own.
REBUILT_BY_THE_DATABASE = {"actions.namedperson"}


def plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # to the microsecond (DjangoJSONEncoder would cut to milliseconds)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def snapshot() -> dict:
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from meetings.models import Paper

    by_natural_key = {
        ContentType: {ct.pk: list(ct.natural_key()) for ct in ContentType.objects.all()},
        Permission: {p.pk: list(p.natural_key()) for p in Permission.objects.select_related("content_type")},
    }
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NOT_COMPARED:
            continue
        natural = {
            f.attname: by_natural_key[f.related_model]
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in by_natural_key
        }
        rows = []
        for row in model._base_manager.order_by("pk").values():
            row = {name: natural[name].get(value) if name in natural else plain(value) for name, value in row.items()}
            # A many-to-many table's own ids are not kept, its pairs are; so for a rebuilt table.
            if model._meta.auto_created or label in REBUILT_BY_THE_DATABASE:
                row.pop("id")
            rows.append(row)
        if model._meta.auto_created or label in REBUILT_BY_THE_DATABASE:
            rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
        tables[label] = rows
    storage = Paper._meta.get_field("file").storage
    names = set(Paper.objects.values_list("file", flat=True)) | set(Paper.history.values_list("file", flat=True))
    files = {}
    for name in sorted(n for n in names if n):
        with storage.open(name, "rb") as handle:
            files[name] = base64.b64encode(handle.read()).decode()
    return {"vendor": connection.vendor, "tables": tables, "files": files}


if __name__ == "__main__":
    import django

    django.setup()
    with open(sys.argv[1], "w") as out:
        json.dump(snapshot(), out, default=plain)
