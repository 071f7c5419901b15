"""Every file the app hands out leaves through one helper: private, never stored by a cache, named alike."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from documents import urls as document_urls
from documents.models import ExportStatus, LogExport, MinutesExport, MinutesKind
from meetings.models import Meeting, Paper
from meetings.services import minutes_approve

pytestmark = pytest.mark.django_db

# board slug, what it is, the date it is about: "south-east-alb-minutes-2024-02-23.pdf"
NAME = re.compile(r'filename="south-east-alb-[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.(pdf|docx|csv|xlsx)"')


def downloads(demo_board, user):
    feb = Meeting.objects.get(board=demo_board, date="2024-02-23")
    # A long log's PDF, made for this user in the background (its status page is a page, not a file).
    export = LogExport(board=demo_board, requested_by=user, status=ExportStatus.DONE, finished_at=timezone.now())
    export.file.save("action-log.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    # Its draft minutes, made so in the background before they were approved.
    minutes = MinutesExport(meeting=feb, kind=MinutesKind.PDF, requested_by=user, status=ExportStatus.DONE)
    minutes.file.save("minutes.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    for pattern in document_urls.urlpatterns:
        if pattern.name in ("action-export-status", "meeting-minutes-export-status"):
            continue
        kwargs = {"slug": demo_board.slug}
        if "<id:export_pk>" in str(pattern.pattern):
            kwargs["export_pk"] = minutes.pk if pattern.name.startswith("meeting-minutes") else export.pk
        if "<id:pk>" in str(pattern.pattern):
            kwargs["pk"] = feb.pk
        if "<id:version>" in str(pattern.pattern):
            kwargs["version"] = 1
        yield pattern.name, reverse(f"documents:{pattern.name}", kwargs=kwargs)


def test_every_document_is_private_and_named_by_one_rule(client, demo_board):
    from django.contrib.auth import get_user_model

    secretary = get_user_model().objects.get(username="secretary")
    # Approved: its minutes come from the stored version 1, through the same helper.
    minutes_approve(meeting=Meeting.objects.get(board=demo_board, date="2024-02-23"), by=secretary)
    client.force_login(secretary)
    seen = []
    for name, url in downloads(demo_board, secretary):
        # The draft minutes made in the background lead to the approved ones' frozen file.
        response = client.get(url, follow=name == "meeting-minutes-export-file")
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        disposition = response["Content-Disposition"]
        if name == "board-calendar":
            assert disposition == 'inline; filename="south-east-alb.ics"'
        else:
            assert NAME.search(disposition), (url, disposition)
        seen.append(name)
    assert {
        "meeting-agenda-pdf",
        "meeting-minutes-docx",
        "meeting-minutes-version-pdf",
        "action-export-csv",
        "action-export-file",
        "meeting-minutes-export-file",
    } <= set(seen)


def test_a_paper_is_private_too(client, demo_board):
    from django.contrib.auth import get_user_model

    feb = Meeting.objects.get(board=demo_board, date="2024-02-23")
    item = feb.items.get(position=2)
    paper = Paper(item=item, title="Annex A")
    paper.file.save("annex-a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    client.force_login(get_user_model().objects.get(username="member"))
    response = client.get(
        reverse(
            "meetings:paper-download",
            kwargs={"slug": demo_board.slug, "pk": feb.pk, "item_pk": item.pk, "paper_pk": paper.pk},
        )
    )
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
