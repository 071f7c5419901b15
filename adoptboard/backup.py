"""Backups that restore: one archive holding the database in Django's portable format and every file.

The archive (a .tar.gz) holds, in this order:

- `data.json`: every row of every app's tables — auth, the admin's log, django-axes, the boards'
  records and their django-simple-history tables — as Django's JSON serializer writes them, with
  every primary key kept (history rows, numbers and links stay exactly as they were). Rows that
  point at content types or permissions name them by natural key, because `migrate` creates those
  afresh, with other ids, in every installation. Sessions are left out: after a restore everyone
  logs in again. A column the database computes itself (the action log's search document, kept
  by PostgreSQL triggers) is left out and recomputed on load.
- `files/<name>`: every file a FileField names (papers), live or in a history row, read through
  the field's storage (local disk or object storage alike), never from a path.
- `manifest.json`: what made it (Django, database, migrations applied), the row count of every
  table and the SHA-256 of every other member, so a restore can prove it read back what was written.

`restore` refuses a database that holds any row, or whose migrations differ from the archive's,
or an archive whose checksums do not match; only then does it load the rows (one transaction) and
write the files back through storage. Any failure leaves the database as empty as it found it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core import serializers
from django.core.files import File
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "adoptboard-backup"
FORMAT_VERSION = 1
DATA = "data.json"
MANIFEST = "manifest.json"
FILES = "files/"
CHUNK = 1024 * 1024

# Created by `migrate` in every installation (with ids of their own), or not worth keeping, or
# kept by the database itself from other rows (actions.NamedPerson: its trigger refills it as the
# responsibilities load).
NOT_BACKED_UP = {"contenttypes.contenttype", "auth.permission", "sessions.session", "actions.namedperson"}
BY_NATURAL_KEY = (ContentType, Permission)
COMPUTED_BY_THE_DATABASE = (SearchVectorField,)

Log = Callable[[str], None]


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete table with rows of its own, parents before the rows that name them by natural key."""
    app_list = []
    for config in apps.get_app_configs():
        chosen = [
            m
            for m in config.get_models()
            if m._meta.label_lower not in NOT_BACKED_UP and m._meta.managed and not m._meta.proxy
        ]
        if chosen:
            app_list.append((config, chosen))
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def file_fields() -> list[tuple[type[models.Model], str, models.FileField]]:
    """(model, column, the FileField whose storage holds the files) for every column naming a file.

    A history table keeps a FileField as plain text (django-simple-history): its files live in
    the storage of the tracked model's field.
    """
    found = []
    for model in backed_up_models():
        tracked = getattr(model, "instance_type", None)  # set on django-simple-history's tables
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.append((model, field.attname, field))
            elif tracked is not None:
                original = next((f for f in tracked._meta.concrete_fields if f.attname == field.attname), None)
                if isinstance(original, models.FileField):
                    found.append((model, field.attname, original))
    return found


class _Serializer(JSONSerializer):
    """Django's JSON serializer, with times to the microsecond and natural keys only for content
    types and permissions.

    Natural keys everywhere (dumpdata --natural-foreign) would also name users by username, and a
    history row that still points at a deleted user could then not be written at all.
    """

    def handle_field(self, obj, field):
        if isinstance(field, COMPUTED_BY_THE_DATABASE):
            return
        value = field.value_from_object(obj)
        if isinstance(value, datetime.datetime | datetime.time):
            # To the microsecond: Django's JSON encoder cuts times to milliseconds, which would
            # change every timestamp and could tie history rows written in the same millisecond.
            self._current[field.name] = value.isoformat()
        else:
            super().handle_field(obj, field)

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, BY_NATURAL_KEY)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, BY_NATURAL_KEY)
        super().handle_m2m_field(obj, field)


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _app_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _copy_hashing(source, target) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _add(archive: tarfile.TarFile, name: str, fileobj, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.datetime.now().timestamp())
    archive.addfile(info, fileobj)


# =============================================================================================
# Backup
# =============================================================================================


def backup(output: Path, *, using: str = DEFAULT_DB_ALIAS, log: Log = lambda _: None) -> dict:
    """Write the archive to `output` (via `output.partial`, renamed when complete); return its manifest."""
    connection = connections[using]
    work = Path(tempfile.mkdtemp(prefix="adoptboard-backup-"))
    partial = output.with_name(output.name + ".partial")
    try:
        counts: dict[str, int] = {}
        names: dict[tuple[int, str], tuple[str, models.FileField]] = {}
        data_path = work / DATA
        # One snapshot for every table: on PostgreSQL a repeatable-read transaction, so a backup
        # taken while people work is consistent (an action and its updates, a board's counter).
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=using):
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            with open(data_path, "w", encoding="utf-8") as stream:
                _Serializer().serialize(_rows(using, counts), stream=stream)
            for model, column, field in file_fields():
                for name in model._base_manager.using(using).exclude(**{column: ""}).values_list(column, flat=True):
                    if name:
                        names.setdefault((id(field.storage), name), (name, field))
            migrations = applied_migrations(using)
        log(f"Wrote {_n(sum(counts.values()), 'row')} of {_n(len(counts), 'table')}.")

        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "app_commit": _app_commit(),
            "django": django.get_version(),
            "database": connection.vendor,
            "migrations": migrations,
            "counts": counts,
            "files": [],
            "missing_files": [],
        }
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # confidential minutes
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            with open(data_path, "rb") as data:
                manifest["data"] = {"name": DATA, "sha256": _sha256_of(data), "size": data_path.stat().st_size}
                data.seek(0)
                _add(archive, DATA, data, manifest["data"]["size"])
            for name, field in sorted(names.values(), key=lambda pair: pair[0]):
                try:
                    source = field.storage.open(name, "rb")
                except FileNotFoundError:
                    manifest["missing_files"].append(name)
                    log(f"Warning: {name} is named in the database but is not in storage; left out.")
                    continue
                with source, tempfile.SpooledTemporaryFile(max_size=8 * CHUNK, dir=work) as copy:
                    sha256, size = _copy_hashing(source, copy)
                    copy.seek(0)
                    _add(archive, FILES + name, copy, size)
                label = f"{field.model._meta.label_lower}.{field.name}"
                manifest["files"].append({"name": name, "field": label, "sha256": sha256, "size": size})
            text = json.dumps(manifest, indent=2, sort_keys=True).encode()
            _add(archive, MANIFEST, io.BytesIO(text), len(text))
        os.replace(partial, output)
        log(
            f"Backed up {_n(len(manifest['files']), 'file')} ({_n(sum(f['size'] for f in manifest['files']), 'byte')})"
            + (f"; {len(manifest['missing_files'])} named but missing" if manifest["missing_files"] else "")
            + f" to {output}."
        )
        return manifest
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _rows(using: str, counts: dict[str, int]) -> Iterator[models.Model]:
    for model in backed_up_models():
        label = model._meta.label_lower
        counts[label] = 0
        for obj in model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000):
            counts[label] += 1
            yield obj


def _sha256_of(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


# =============================================================================================
# Restore
# =============================================================================================


def restore(archive_path: Path, *, using: str = DEFAULT_DB_ALIAS, log: Log = lambda _: None) -> dict:
    """Read the archive into this empty, migrated installation; return its manifest."""
    _refuse_unless_empty(using)
    work = Path(tempfile.mkdtemp(prefix="adoptboard-restore-"))
    try:
        manifest = _read_and_verify(archive_path, work)
        _refuse_other_migrations(manifest, using)
        fields = {f"{field.model._meta.label_lower}.{field.name}": field for _, _, field in file_fields()}
        for entry in manifest["files"]:
            if entry["field"] not in fields:
                raise CommandError(f"The archive has files of {entry['field']}, which this installation does not know.")
        present = _refuse_conflicting_files(manifest, fields)

        written: list[tuple[models.FileField, str]] = []
        try:
            with transaction.atomic(using=using):
                call_command("loaddata", str(work / DATA), database=using, verbosity=0)
                _check_counts(manifest, using)
                wanted = {FILES + e["name"]: e for e in manifest["files"] if e["name"] not in present}
                with tarfile.open(archive_path, mode="r|gz") as archive:
                    for member in archive:
                        entry = wanted.get(member.name)
                        if entry is None:
                            continue
                        field = fields[entry["field"]]
                        with (
                            archive.extractfile(member) as source,
                            tempfile.SpooledTemporaryFile(max_size=8 * CHUNK, dir=work) as copy,
                        ):
                            sha256, _ = _copy_hashing(source, copy)
                            if sha256 != entry["sha256"]:
                                raise CommandError(
                                    f"{entry['name']} changed while it was being read; nothing restored."
                                )
                            copy.seek(0)
                            saved = field.storage.save(entry["name"], File(copy, name=entry["name"]))
                        written.append((field, saved))
                        if saved != entry["name"]:
                            raise CommandError(f"Storage saved {entry['name']} as {saved}; nothing restored.")
        except BaseException:
            for field, name in written:  # the rows are rolled back: take their files away too
                field.storage.delete(name)
            raise
        log(
            f"Restored {_n(sum(manifest['counts'].values()), 'row')} of {_n(len(manifest['counts']), 'table')} and "
            f"{_n(len(manifest['files']), 'file')}, backed up at {manifest['created_at']}."
        )
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _refuse_unless_empty(using: str) -> None:
    holding = [
        f"{count} {model._meta.verbose_name_plural}"
        for model in backed_up_models()
        if (count := model._base_manager.using(using).count())
    ]
    if holding:
        raise CommandError(
            "This database is not empty (it holds "
            + ", ".join(holding[:5])
            + (f" and rows of {len(holding) - 5} more tables" if len(holding) > 5 else "")
            + "). Restore only into a new database that `python manage.py migrate` has prepared; nothing was changed."
        )


def _read_and_verify(archive_path: Path, work: Path) -> dict:
    """Read the whole archive once: keep data.json, hash every member, check them against the manifest."""
    hashes: dict[str, str] = {}
    manifest = None
    try:
        with tarfile.open(archive_path, mode="r|gz") as archive:
            for member in archive:
                if not member.isfile():
                    raise CommandError(f"The archive holds {member.name!r}, which is not a plain file: not ours.")
                source = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read())
                elif member.name == DATA:
                    with open(work / DATA, "wb") as target:
                        hashes[DATA], _ = _copy_hashing(source, target)
                elif member.name.startswith(FILES):
                    hashes[member.name] = _sha256_of(source)
                else:
                    raise CommandError(f"The archive holds {member.name!r}, which no AdoptBoard backup has.")
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise CommandError(f"{archive_path} is not a readable AdoptBoard backup: {exc}") from None
    if not manifest or manifest.get("format") != FORMAT:
        raise CommandError(f"{archive_path} is not an AdoptBoard backup (it has no manifest of ours).")
    if manifest.get("version") != FORMAT_VERSION:
        raise CommandError(f"This backup is format {manifest.get('version')}; this version reads {FORMAT_VERSION}.")
    expected = {DATA: manifest["data"]["sha256"], **{FILES + f["name"]: f["sha256"] for f in manifest["files"]}}
    damaged = sorted(name for name in expected if hashes.get(name) != expected[name])
    extra = sorted(set(hashes) - set(expected))
    if damaged or extra:
        raise CommandError(
            "The archive does not match its manifest"
            + (f"; damaged or missing: {', '.join(damaged[:5])}" if damaged else "")
            + (f"; not listed: {', '.join(extra[:5])}" if extra else "")
            + ". Nothing was restored."
        )
    return manifest


def _refuse_other_migrations(manifest: dict, using: str) -> None:
    here, there = applied_migrations(using), manifest["migrations"]
    if here == there:
        return
    behind = sorted(f"{app}.{name}" for app, names in there.items() for name in set(names) - set(here.get(app, [])))
    ahead = {app: sorted(set(names) - set(there.get(app, []))) for app, names in here.items()}
    ahead = {app: names for app, names in ahead.items() if names}
    if behind:
        raise CommandError(
            "The archive was made by a newer AdoptBoard (migrations this installation lacks: "
            + ", ".join(behind[:5])
            + "). Install that version, migrate, then restore."
        )
    steps = [f"python manage.py migrate {app} {there[app][-1] if there.get(app) else 'zero'}" for app in ahead]
    raise CommandError(
        "This installation is migrated further than the archive ("
        + ", ".join(f"{app}: {', '.join(names)}" for app, names in ahead.items())
        + "). In a new, empty database, migrate only as far as the archive — "
        + "; ".join(steps)
        + " — restore, then run `python manage.py migrate`."
    )


def _refuse_conflicting_files(manifest: dict, fields: dict[str, models.FileField]) -> set[str]:
    """Files already in storage with the same bytes are kept; different bytes under the name stop the restore."""
    present, clashing = set(), []
    for entry in manifest["files"]:
        storage = fields[entry["field"]].storage
        if not storage.exists(entry["name"]):
            continue
        with storage.open(entry["name"], "rb") as existing:
            if _sha256_of(existing) == entry["sha256"]:
                present.add(entry["name"])
            else:
                clashing.append(entry["name"])
    if clashing:
        raise CommandError(
            "Storage already holds different files under the archive's names ("
            + ", ".join(clashing[:5])
            + "). Restore into empty storage; nothing was changed."
        )
    return present


def _check_counts(manifest: dict, using: str) -> None:
    loaded = {m._meta.label_lower: m._base_manager.using(using).count() for m in backed_up_models()}
    wrong = [
        f"{label}: {count} in the archive, {loaded.get(label, 'no table')} loaded"
        for label, count in manifest["counts"].items()
        if loaded.get(label) != count
    ]
    if wrong:
        raise CommandError("The restored rows do not match the archive's counts: " + "; ".join(wrong[:5]))
