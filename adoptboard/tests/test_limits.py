"""Request bodies over the largest upload are refused before anything reads them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meetings.models import AgendaItem, Paper

MB = 1024 * 1024


class Unreadable:
    """A request body that fails the test if anything reads a byte of it."""

    def __init__(self):
        self.reads = 0

    def _refuse(self, *args, **kwargs):
        self.reads += 1
        raise AssertionError("the request body was read")

    read = readline = readlines = readinto = __iter__ = _refuse


@pytest.fixture
def paper_url(demo_board):
    item = AgendaItem.objects.filter(meeting__board=demo_board, meeting__approved_at__isnull=True).first()
    return f"/boards/{demo_board.slug}/meetings/{item.meeting_id}/items/{item.pk}/papers/", item


@pytest.fixture
def spool(settings, tmp_path):
    """Where Django would write an upload too big for memory; nothing may land there."""
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def post_forged(client, path, *, length=None, chunked=False):
    body = Unreadable()
    extra = {"CONTENT_TYPE": "multipart/form-data; boundary=----adoptboard", "wsgi.input": body}
    if length is not None:
        extra["CONTENT_LENGTH"] = str(length)
    if chunked:
        extra["HTTP_TRANSFER_ENCODING"] = "chunked"
    return client.generic("POST", path, **extra), body


@pytest.mark.parametrize("who", ["anonymous", "member", "secretary"])
def test_a_200_mb_body_is_refused_with_413_unread(who, paper_url, spool):
    client = Client()
    if who != "anonymous":
        client.force_login(get_user_model().objects.get(username=who))
    path, item = paper_url
    for target in (path, "/accounts/login/", "/"):
        response, body = post_forged(client, target, length=200 * MB)
        assert response.status_code == 413, (who, target)
        assert "This upload is too large" in response.content.decode()
        assert "at most 20 MB" in response.content.decode()
        assert body.reads == 0
    assert list(spool.iterdir()) == []
    assert not Paper.objects.filter(item=item).exists()


def test_the_limit_is_the_largest_paper_plus_the_form_around_it(client, settings, paper_url, spool):
    settings.MAX_UPLOAD_BYTES = 1 * MB  # stands in for 20 MB
    limit = settings.MAX_UPLOAD_BYTES + settings.REQUEST_BODY_OVERHEAD_BYTES
    client.force_login(get_user_model().objects.get(username="secretary"))
    path, item = paper_url
    response, body = post_forged(client, path, length=limit + 1)
    assert response.status_code == 413 and body.reads == 0
    # A paper of exactly the largest size, in its form, passes the middleware and is attached.
    paper = SimpleUploadedFile("annex.pdf", b"%PDF-1.7\n" + b"0" * (settings.MAX_UPLOAD_BYTES - 9))
    response = client.post(path, {f"paper-{item.pk}-title": "Annex", f"paper-{item.pk}-file": paper})
    assert response.status_code == 302
    assert Paper.objects.get(item=item).file.size == settings.MAX_UPLOAD_BYTES


def test_a_body_under_the_limit_still_reaches_the_login_redirect(client, paper_url):
    path, _ = paper_url
    response = client.post(path, {"title": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["anonymous", "secretary"])
def test_a_chunked_body_without_a_length_is_refused_unread(who, paper_url, spool):
    client = Client()
    if who != "anonymous":
        client.force_login(get_user_model().objects.get(username=who))
    path, _ = paper_url
    response, body = post_forged(client, path, chunked=True)
    assert response.status_code == 411
    assert "did not say how large it is" in response.content.decode()
    assert body.reads == 0
    assert list(spool.iterdir()) == []
