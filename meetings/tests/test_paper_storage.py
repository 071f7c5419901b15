"""Papers in the storage the environment names: object storage through the real boto3 code path
(a local S3-compatible server, moto's, started here), and local disk; never a direct link."""

import datetime
import logging
import random
import socket
import urllib.error
import urllib.request
from html.parser import HTMLParser

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from adoptboard.settings import storage_from_environ
from meetings.models import Meeting, MeetingStatus, Paper
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db

ACCESS_KEY, SECRET_KEY, REGION = "adoptboard-test-key", "adoptboard-test-secret", "eu-west-2"
UPLOAD_OPERATIONS = {"PutObject", "CreateMultipartUpload"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3-compatible server on a free loopback port, for this module's tests."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # its access log, one line a request
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, request):
    """A fresh bucket, and the app's default storage pointed at it as the environment would."""
    name = f"papers-{request.node.name.replace('_', '-')[:40].strip('-').lower()}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    environ = {
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    # Changing STORAGES drops Django's cached storages (default_storage included), so the papers'
    # FileField, which holds default_storage, writes to the bucket from here on.
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_environ(environ, debug=True)}
    yield s3, name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def meeting(board, secretary, chair, member):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )


class PaperForms(HTMLParser):
    """The agenda page's paper upload forms: their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "/papers/" in attrs.get("action", ""):
            self._current = {"action": attrs["action"], "enctype": attrs.get("enctype"), "fields": {}}
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current["fields"][attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def upload_through_the_agenda(client, meeting, item, *, title, filename, content):
    agenda = client.get(reverse("meetings:meeting-agenda", args=[meeting.board.slug, meeting.pk]))
    parser = PaperForms()
    parser.feed(agenda.content.decode())
    [form] = [f for f in parser.forms if f"/items/{item.pk}/papers/" in f["action"]]
    assert form["enctype"] == "multipart/form-data"
    data = dict(form["fields"])  # the CSRF token included: this client checks it
    title_field, file_field = (name for name in data if name.startswith(f"paper-{item.pk}-"))
    data[title_field] = title
    data[file_field] = ContentFile(content, name=filename)
    return client.post(form["action"], data)


def paper_bytes(size: int, seed: int) -> bytes:
    return b"%PDF-1.7\n" + random.Random(seed).randbytes(size - 9)


def test_papers_go_to_object_storage_and_come_back_only_through_the_access_check(
    bucket, meeting, secretary, member, outsider, staff, settings, tmp_path
):
    s3, bucket_name = bucket
    item = meeting.items.get(position=2)
    # Larger than boto3's multipart threshold (8 MB) and the storage's in-memory read buffer (5 MB).
    first, second = paper_bytes(9 * 1024 * 1024, seed=1), paper_bytes(300_000, seed=2)

    # What the app asks of the storage service, request by request (the real boto3 client's own hook).
    sent = []
    default_storage.connection.meta.client.meta.events.register(
        "provide-client-params.s3.*", lambda params, model, **kwargs: sent.append((model.name, dict(params)))
    )

    editor = Client(enforce_csrf_checks=True)
    editor.force_login(secretary)
    for title, content in [("Annex A", first), ("Annex B", second)]:
        response = upload_through_the_agenda(editor, meeting, item, title=title, filename="annex.pdf", content=content)
        assert response.status_code == 302, response.content.decode()[:2000]

    # Two papers of one name are two objects: neither overwrote the other.
    annex_a, annex_b = Paper.objects.filter(item=item).order_by("title")
    assert annex_a.file.name != annex_b.file.name
    stored = {obj["Key"]: obj["Size"] for obj in s3.list_objects_v2(Bucket=bucket_name)["Contents"]}
    assert stored == {annex_a.file.name: len(first), annex_b.file.name: len(second)}
    assert annex_a.file.name.startswith(f"papers/{meeting.board.slug}/{meeting.pk}/annex")
    # The app server kept nothing: no file under MEDIA_ROOT.
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    # Private objects. The app never asks for an ACL, so objects take the bucket's private default
    # (a new AWS bucket refuses any ACL but the owner's anyway)...
    uploads = [(operation, params) for operation, params in sent if operation in UPLOAD_OPERATIONS]
    assert sorted(operation for operation, _ in uploads) == ["CreateMultipartUpload", "PutObject"]
    assert all(not any(key == "ACL" or key.startswith("Grant") for key in params) for _, params in uploads)
    # ...and a GET without a signature is refused: this server serves public-read objects to anyone,
    # so a public upload would show here. (moto keeps no ACL at all on an object assembled from a
    # multipart upload and then serves it to anyone, where S3 keeps it private: the small paper.)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3.meta.endpoint_url}/{bucket_name}/{annex_b.file.name}", timeout=10)
    assert refused.value.code == 403
    grants = s3.get_object_acl(Bucket=bucket_name, Key=annex_b.file.name)["Grants"]
    assert [(g["Grantee"]["Type"], g["Permission"]) for g in grants] == [("CanonicalUser", "FULL_CONTROL")]

    # A member finds the papers on the agenda and gets the bytes that were uploaded.
    reader = Client()
    reader.force_login(member)
    agenda = reader.get(reverse("meetings:meeting-agenda", args=[meeting.board.slug, meeting.pk])).content.decode()
    for paper, content in [(annex_a, first), (annex_b, second)]:
        download = paper.get_absolute_url()
        assert f'href="{download}"' in agenda
        response = reader.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Cache-Control"] == "private, no-store"
        filename = paper.file.name.rsplit("/", 1)[-1]
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert bucket_name not in agenda and s3.meta.endpoint_url not in agenda

    # Outsiders get 404, anonymous visitors the login page; neither sees a byte.
    outside = Client()
    outside.force_login(outsider)
    assert outside.get(annex_a.get_absolute_url()).status_code == 404
    anonymous = Client().get(annex_a.get_absolute_url())
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    # The admin links a paper to the same checked view, editable or locked, never to the bucket.
    admin = Client()
    admin.force_login(staff)
    change = reverse("admin:meetings_paper_change", args=[annex_a.pk])
    for status in (MeetingStatus.SCHEDULED, MeetingStatus.APPROVED):
        Meeting.objects.filter(pk=meeting.pk).update(status=status)
        page = admin.get(change).content.decode()
        assert f'href="{annex_a.get_absolute_url()}"' in page
        assert s3.meta.endpoint_url not in page and "X-Amz-Signature" not in page


def test_a_paper_missing_from_the_bucket_is_a_404(bucket, meeting, member):
    s3, bucket_name = bucket
    item = meeting.items.get(position=2)
    paper = Paper.objects.create(item=item, title="Annex A", file=ContentFile(b"%PDF-1.4\n", name="annex.pdf"))
    s3.delete_object(Bucket=bucket_name, Key=paper.file.name)
    client = Client()
    client.force_login(member)
    assert client.get(paper.get_absolute_url()).status_code == 404


def test_no_storage_hands_out_a_direct_link(bucket):
    """Object storage would sign a link that works for anyone holding it: it gives none."""
    name = default_storage.save("papers/x/annex.pdf", ContentFile(b"%PDF-1.4\n"))
    assert type(default_storage._wrapped).__name__ == "ObjectStorage"
    with pytest.raises(NotImplementedError, match="access-checked"):
        default_storage.url(name)


def test_on_local_disk_media_url_serves_nothing_and_gives_no_link(client, meeting, member):
    item = meeting.items.get(position=2)
    paper = Paper.objects.create(item=item, title="Annex A", file=ContentFile(b"%PDF-1.4 local", name="annex.pdf"))
    assert type(default_storage._wrapped).__name__ == "LocalStorage"
    with pytest.raises(NotImplementedError, match="access-checked"):
        default_storage.url(paper.file.name)
    client.force_login(member)
    assert client.get("/media/" + paper.file.name).status_code == 404
    response = client.get(paper.file.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 local"
