"""Approved minutes never change: the files frozen at the approval are what every later download gets.

The Done-when of issue 12: approve, then update the actions, rename a person and the board, and
download again — the same bytes; reopen and approve again — both versions download.
"""

import hashlib
import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions.models import Action, Status
from actions.services import action_progress_add, action_raise
from documents import pdf as pdf_renderer
from documents.tests.test_meeting_documents import flat, pdf_pages
from documents.tests.test_meeting_documents import meeting as meeting  # the fixture
from meetings import services
from meetings.models import Meeting, MeetingStatus, MinutesVersion, Person


def url(name, meeting, **kw):
    app = "documents" if name.startswith("meeting-minutes") else "meetings"
    return reverse(f"{app}:{name}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk, **kw})


def download(client, meeting):
    pdf = client.get(url("meeting-minutes-pdf", meeting))
    word = client.get(url("meeting-minutes-docx", meeting))
    assert pdf.status_code == word.status_code == 200
    return b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]), b"".join(
        word.streaming_content if word.streaming else [word.content]
    )


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def change_everything(meeting, secretary):
    """What happens after an approval: the log moves on, people and the board are renamed."""
    old = Action.objects.get(pk=meeting.old_action.pk)
    action_progress_add(
        action=old, expected_version=old.version, status=Status.CLOSED, note="Done in December", by=secretary
    )
    raised = Action.objects.get(pk=meeting.raised_action.pk)
    action_progress_add(action=raised, expected_version=raised.version, status=Status.COMPLETE, note="All done")
    action_raise(board=meeting.board, text="A later action, raised between meetings", whole_board=True)
    Person.objects.filter(initials="PP").update(full_name="Priya Renamed-Patel")
    type(meeting.board).objects.filter(pk=meeting.board.pk).update(name="Renamed Board", short_name="RB")


def test_approved_minutes_download_the_same_bytes_whatever_changes_afterwards(client, secretary, chair, meeting):
    client.force_login(secretary)
    draft_pdf, _ = download(client, meeting)
    assert "Draft" in flat("".join(pdf_pages(draft_pdf)))

    assert client.post(url("meeting-approve", meeting), {"confirm": "1"}).status_code == 302
    version = MinutesVersion.objects.get(meeting=meeting)
    assert version.number == 1 and version.approved_by == secretary
    approved_pdf, approved_docx = download(client, meeting)
    assert hashlib.sha256(approved_pdf).hexdigest() == version.pdf_sha256
    assert hashlib.sha256(approved_docx).hexdigest() == version.docx_sha256
    text = flat("".join(pdf_pages(approved_pdf)))
    assert "Approved on" in text and "Priya Patel" in text and "Test Region Adoption Leadership Board" in text

    change_everything(meeting, secretary)
    # A member, logged in anew, gets the very same files.
    client.force_login(Person.objects.get(initials="MM").user)
    assert download(client, meeting) == (approved_pdf, approved_docx)

    # Reopening and approving again makes version 2, as things stand now; version 1 stays as it was.
    client.force_login(chair)
    assert client.post(url("meeting-reopen", meeting), {"reason": "Correct item 2"}).status_code == 302
    reopened_pdf, _ = download(client, meeting)
    assert "Renamed Board" in flat("".join(pdf_pages(reopened_pdf)))
    assert client.post(url("meeting-approve", meeting), {"confirm": "1"}).status_code == 302
    assert list(MinutesVersion.objects.filter(meeting=meeting).values_list("number", flat=True)) == [1, 2]
    second_pdf, second_docx = download(client, meeting)
    assert second_pdf != approved_pdf
    second_text = flat("".join(pdf_pages(second_pdf)))
    assert "Renamed Board" in second_text and "Priya Renamed-Patel" in second_text
    assert "Renamed Board" in docx_text(second_docx)

    v1_pdf = client.get(url("meeting-minutes-version-pdf", meeting, version=1))
    v1_docx = client.get(url("meeting-minutes-version-docx", meeting, version=1))
    v2_pdf = client.get(url("meeting-minutes-version-pdf", meeting, version=2))
    assert b"".join(v1_pdf.streaming_content) == approved_pdf
    assert b"".join(v1_docx.streaming_content) == approved_docx
    assert b"".join(v2_pdf.streaming_content) == second_pdf
    assert v1_pdf["Cache-Control"] == "private, no-store"
    assert 'filename="test-alb-minutes-v1-2024-07-17.pdf"' in v1_pdf["Content-Disposition"]
    assert client.get(url("meeting-minutes-version-pdf", meeting, version=3)).status_code == 404

    # The review page says its statuses are today's and points to the approved minutes.
    review = client.get(reverse("actions:meeting-review", kwargs={"slug": meeting.board.slug, "pk": meeting.pk}))
    assert "as it stood at the approval" in review.content.decode()

    # The meeting page lists both versions, each with its two files.
    page = client.get(url("meeting-detail", meeting)).content.decode()
    for v in (1, 2):
        assert url("meeting-minutes-version-pdf", meeting, version=v) in page
        assert url("meeting-minutes-version-docx", meeting, version=v) in page


def test_until_approved_the_minutes_carry_the_log_as_it_stands_when_printed(client, secretary, meeting):
    client.force_login(secretary)
    before = flat("".join(pdf_pages(download(client, meeting)[0])))
    old = Action.objects.get(pk=meeting.old_action.pk)
    action_progress_add(action=old, expected_version=old.version, status=Status.CLOSED, note="Closed late")
    after = flat("".join(pdf_pages(download(client, meeting)[0])))
    assert before != after
    assert "This action log was updated on 30 November 2026" in after


def test_if_the_minutes_cannot_be_rendered_nothing_is_approved(secretary, meeting, monkeypatch):
    def broken(pack):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(pdf_renderer, "minutes_pdf", broken)
    with pytest.raises(RuntimeError):
        services.minutes_approve(meeting=meeting, by=secretary)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.approved_at is None
    assert not MinutesVersion.objects.exists()


def test_approval_refuses_without_a_receiver_to_freeze_the_minutes(secretary, meeting):
    from django.core.exceptions import ImproperlyConfigured

    from meetings.signals import minutes_approved

    assert minutes_approved.disconnect(dispatch_uid="documents-freeze-approved-minutes")
    try:
        with pytest.raises(ImproperlyConfigured):
            services.minutes_approve(meeting=meeting, by=secretary)
    finally:
        from documents.services import on_minutes_approved

        minutes_approved.connect(on_minutes_approved, dispatch_uid="documents-freeze-approved-minutes")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD


def test_a_second_approval_without_a_reopening_is_refused_and_makes_no_version(secretary, meeting):
    services.minutes_approve(meeting=meeting, by=secretary)
    with pytest.raises(ValidationError):
        services.minutes_approve(meeting=meeting, by=secretary)
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1


def test_minutes_approved_before_versions_were_kept_are_frozen_by_a_command(client, member, meeting):
    from django.core.management import call_command
    from django.utils import timezone

    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.APPROVED, approved_at=timezone.now())
    out = io.StringIO()
    call_command("freeze_approved_minutes", stdout=out)
    # This meeting, and the earlier one the fixture approved by hand (without a date).
    assert "Froze the minutes of 2 approved meetings." in out.getvalue()
    version = MinutesVersion.objects.get(meeting=meeting)
    client.force_login(member)
    assert hashlib.sha256(download(client, meeting)[0]).hexdigest() == version.pdf_sha256
    call_command("freeze_approved_minutes", stdout=out)
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1
