"""Backups that restore: `backup` then `restore` into a fresh database and media root gives back every
row (history included) and every paper's bytes; a restore refuses what it cannot do whole."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from actions.models import Action
from actions.services import action_progress_add, action_raise, action_remove
from adoptboard.tests.snapshot import plain, snapshot
from meetings.models import AgendaItem, Board, MeetingStatus, Paper
from meetings.services import item_remove, paper_add
from meetings.tests.test_paper_types import docx_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def open_items(board):
    return AgendaItem.objects.filter(meeting__board=board, removed_at__isnull=True).exclude(
        meeting__status=MeetingStatus.APPROVED
    )


@pytest.fixture
def busy_board(demo_board, client):
    """The demo board after a while in use: papers, updates, a raised and a removed action, a removed
    item, a group's permissions (natural keys), the admin's log, a failed login, a user who left."""
    User = get_user_model()
    secretary, member = User.objects.get(username="secretary"), User.objects.get(username="member")
    item, other = open_items(demo_board)[:2]
    client.force_login(secretary)
    url = reverse("meetings:paper-add", kwargs={"slug": demo_board.slug, "pk": item.meeting_id, "item_pk": item.pk})
    for title, name, content in [
        ("Annex A", "annex-a.pdf", PDF),
        ("Annex B", "annex-b.docx", docx_bytes()),
        ("Figures", "figures.xlsx", xlsx_bytes()),
    ]:
        response = client.post(
            url, {f"paper-{item.pk}-title": title, f"paper-{item.pk}-file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 302, name
    # A paper attached by someone whose account was later deleted: its history row still names them.
    leaver = User.objects.create_user(username="leaver", password="pw-leaver")
    paper_add(item=item, title="Leaver's note", file=SimpleUploadedFile("note.pdf", b"%PDF-1.4 leaver"), by=leaver)
    leaver.delete()

    action = Action.objects.filter(board=demo_board, removed_at__isnull=True).order_by("number").first()
    action_progress_add(action=action, expected_version=action.version, status="in_progress", note="Drafted", by=member)
    raised = action_raise(board=demo_board, text="Write to the DfE about delays", whole_board=True, by=secretary)
    action_remove(action=raised, by=secretary)
    item_remove(item=other)

    clerks = Group.objects.create(name="Clerks")
    clerks.permissions.add(Permission.objects.get(codename="view_action"))
    secretary.groups.add(clerks)
    LogEntry.objects.create(
        user=secretary,
        content_type=ContentType.objects.get_for_model(Board),
        object_id=str(demo_board.pk),
        object_repr=str(demo_board),
        action_flag=CHANGE,
        change_message="[]",
    )
    Client().post("/accounts/login/", {"username": "member", "password": "wrong"})
    # The chair's two-factor login: restored with the rest, or she would be locked out (or let in
    # on her password alone).
    chair = User.objects.get(username="chair")
    TOTPDevice.objects.create(user=chair, name="Authenticator app", confirmed=True, last_t=1)
    codes = StaticDevice.objects.create(user=chair, name="Recovery codes", confirmed=True)
    codes.token_set.create(token="abcd2345")
    return demo_board


def here() -> dict:
    return json.loads(json.dumps(snapshot(), default=plain))


def run(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def restore_elsewhere(archive: Path, database_url: str, media_root: Path, out: Path) -> dict:
    """migrate a new database, restore the archive into it (and a new media root), and read it all back."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    migrated = run("manage.py", "migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    restored = run("manage.py", "restore", str(archive), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    read = run("-m", "adoptboard.tests.snapshot", str(out), env=env)
    assert read.returncode == 0, read.stderr
    # A second restore into the same installation is refused: it is no longer empty.
    again = run("manage.py", "restore", str(archive), env=env)
    assert again.returncode != 0 and "This database is not empty" in again.stderr
    return json.loads(out.read_text())


def assert_same(original: dict, restored: dict) -> None:
    assert sorted(restored["tables"]) == sorted(original["tables"])
    # The search document is the database's own (PostgreSQL triggers); it is compared when both are PostgreSQL.
    computed = {"search_document"} if original["vendor"] != restored["vendor"] else set()
    for label, rows in original["tables"].items():
        theirs = restored["tables"][label]
        assert len(theirs) == len(rows), label
        for mine, other in zip(rows, theirs, strict=True):
            assert {k: v for k, v in other.items() if k not in computed} == {
                k: v for k, v in mine.items() if k not in computed
            }, label
    assert restored["files"] == original["files"]


def assert_worth_comparing(original: dict) -> None:
    """The comparison covers what matters: it is not vacuous."""
    tables = original["tables"]
    for label in (
        "meetings.historicalpaper",
        "actions.historicalactionupdate",
        "actions.historicalaction",
        "auth.group_permissions",
        "auth.user_groups",
        "admin.logentry",
        "axes.accessattempt",
        "otp_totp.totpdevice",
        "otp_static.statictoken",
    ):
        assert tables[label], label
    assert len(original["files"]) == 4
    assert any(r["removed_at"] for r in tables["actions.action"])
    assert any(r["removed_at"] for r in tables["meetings.agendaitem"])


def test_a_backup_restores_into_a_fresh_sqlite_database_and_media_root(busy_board, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    original = here()
    assert_worth_comparing(original)
    restored = restore_elsewhere(
        archive, f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "restored-media", tmp_path / "restored.json"
    )
    assert_same(original, restored)
    # The papers are back where their rows say, in the new media root.
    for name, paper in ((p.file.name, p) for p in Paper.objects.all()):
        with paper.file.open("rb") as kept:
            assert (tmp_path / "restored-media" / name).read_bytes() == kept.read()


@pytest.mark.postgresql
def test_a_backup_restores_into_a_fresh_postgresql_database(busy_board, tmp_path):
    import psycopg2

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    original = here()
    params = connection.settings_dict
    name = f"{params['NAME']}_restore"[:63]
    admin = psycopg2.connect(
        dbname="postgres", user=params["USER"], password=params["PASSWORD"], host=params["HOST"], port=params["PORT"]
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        url = f"postgres://{auth}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
        restored = restore_elsewhere(archive, url, tmp_path / "restored-media", tmp_path / "restored.json")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    assert_same(original, restored)
    assert any(r["search_document"] for r in restored["tables"]["actions.action"])


# --- Refusals, in this process: a database emptied by rolling its data back -------------------------


@pytest.fixture
def archive(db, tmp_path):
    """An archive of the demo board with a paper, taken in a transaction that is then rolled back,
    so the test's database is as empty as a newly migrated one."""
    path = tmp_path / "backup.tar.gz"
    with transaction.atomic():
        call_command("load_demo", password="demo-pass", stdout=io.StringIO())
        board = Board.objects.get(slug="south-east-alb")
        paper_add(item=open_items(board).first(), title="Annex", file=SimpleUploadedFile("annex.pdf", PDF))
        call_command("backup", output=path, stdout=io.StringIO())
        transaction.set_rollback(True)
    assert not Board.objects.exists()
    return path


@pytest.fixture
def fresh_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "fresh-media"
    return settings.MEDIA_ROOT


def rewrite(source: Path, target: Path, change) -> Path:
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            content = change(member.name, old.extractfile(member).read())
            member.size = len(content)
            new.addfile(member, io.BytesIO(content))
    return target


def test_restore_reads_an_archive_into_an_empty_database_in_this_process_too(archive, fresh_media):
    call_command("restore", archive, stdout=io.StringIO())
    board = Board.objects.get(slug="south-east-alb")
    assert board.actions.count() == 18 and board.history.exists()
    paper = Paper.objects.get()
    with paper.file.open("rb") as restored:
        assert restored.read() == PDF
    assert (fresh_media / paper.file.name).exists()


def test_restore_refuses_a_database_that_is_not_empty(busy_board, tmp_path, fresh_media):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"This database is not empty \(it holds .*boards"):
        call_command("restore", archive)
    assert not fresh_media.exists()


def test_restore_refuses_a_damaged_archive_and_writes_nothing(archive, tmp_path, fresh_media):
    def flip_a_byte(name, content):
        return content[:-10] + b"X" + content[-9:] if name.startswith("files/") else content

    damaged = rewrite(archive, tmp_path / "damaged.tar.gz", flip_a_byte)
    with pytest.raises(CommandError, match="does not match its manifest; damaged or missing: files/papers/"):
        call_command("restore", damaged)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="is not a readable AdoptBoard backup"):
        call_command("restore", truncated)
    assert not Board.objects.exists() and not fresh_media.exists()


def test_restore_refuses_an_archive_of_other_migrations_and_says_what_to_do(archive, tmp_path, fresh_media):
    def with_migrations(change):
        def edit(name, content):
            if name != "manifest.json":
                return content
            manifest = json.loads(content)
            change(manifest["migrations"])
            return json.dumps(manifest).encode()

        return edit

    newer = rewrite(archive, tmp_path / "newer.tar.gz", with_migrations(lambda m: m["actions"].append("0099_future")))
    with pytest.raises(CommandError, match=r"made by a newer AdoptBoard .*actions\.0099_future"):
        call_command("restore", newer)
    older = rewrite(archive, tmp_path / "older.tar.gz", with_migrations(lambda m: m["actions"].pop()))
    with pytest.raises(
        CommandError, match=r"migrate only as far as the archive — python manage.py migrate actions \d{4}_"
    ):
        call_command("restore", older)
    assert not Board.objects.exists() and not fresh_media.exists()


def test_restore_refuses_storage_that_holds_other_files_under_the_same_names(archive, fresh_media):
    with tarfile.open(archive) as opened:
        name = next(m.name for m in opened.getmembers() if m.name.startswith("files/")).removeprefix("files/")
    (fresh_media / name).parent.mkdir(parents=True)
    (fresh_media / name).write_bytes(b"%PDF-1.4 another paper")
    with pytest.raises(CommandError, match="Storage already holds different files"):
        call_command("restore", archive)
    assert not Board.objects.exists()
    assert (fresh_media / name).read_bytes() == b"%PDF-1.4 another paper"


def test_the_archive_is_readable_by_its_owner_only(archive):
    assert archive.stat().st_mode & 0o077 == 0


# --- Any storage: papers in object storage (a local S3-compatible server, the real boto3 path) ---------

from meetings.tests import test_paper_storage as object_storage  # noqa: E402

s3_endpoint = object_storage.s3_endpoint  # the module's fixtures, used here as they are there
bucket = object_storage.bucket


def test_a_backup_reads_papers_from_object_storage_and_restores_them_into_a_fresh_bucket(
    db, bucket, s3_endpoint, settings, tmp_path
):
    from adoptboard.settings import storage_from_environ

    s3, name = bucket
    archive = tmp_path / "backup.tar.gz"
    with transaction.atomic():
        call_command("load_demo", password="demo-pass", stdout=io.StringIO())
        item = open_items(Board.objects.get(slug="south-east-alb")).first()
        for filename, content in (("annex-a.pdf", PDF), ("annex-b.docx", docx_bytes())):
            paper_add(item=item, title=filename, file=SimpleUploadedFile(filename, content))
        originals = {}
        for paper in Paper.objects.all():
            with paper.file.open("rb") as stored:
                originals[paper.file.name] = stored.read()
        call_command("backup", output=archive, stdout=io.StringIO())
        transaction.set_rollback(True)
    assert set(originals) == {o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]}

    fresh = f"{name[:50]}-restored"
    s3.create_bucket(Bucket=fresh, CreateBucketConfiguration={"LocationConstraint": object_storage.REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_from_environ(
            {
                "AWS_STORAGE_BUCKET_NAME": fresh,
                "AWS_S3_ENDPOINT_URL": s3_endpoint,
                "AWS_S3_REGION_NAME": object_storage.REGION,
                "AWS_ACCESS_KEY_ID": object_storage.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": object_storage.SECRET_KEY,
            },
            debug=True,
        ),
    }
    try:
        call_command("restore", archive, stdout=io.StringIO())
        restored = {}
        for paper in Paper.objects.all():
            with paper.file.open("rb") as stored:
                restored[paper.file.name] = stored.read()
        assert restored == originals
        assert {o["Key"] for o in s3.list_objects_v2(Bucket=fresh)["Contents"]} == set(originals)
    finally:
        for obj in s3.list_objects_v2(Bucket=fresh).get("Contents", []):
            s3.delete_object(Bucket=fresh, Key=obj["Key"])
        s3.delete_bucket(Bucket=fresh)
