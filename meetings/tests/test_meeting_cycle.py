"""The secretary's meeting cycle through the test client: each step, its validation and its permissions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from actions.services import action_raise
from meetings import services
from meetings.models import AgendaItem, Attendance, AttendanceStatus, Meeting, MeetingStatus, Paper, Person, Topic
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(board, secretary, chair, member):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )


@pytest.fixture
def item(meeting):
    return meeting.items.get(position=2)


# The meeting page's action-log parts are served by the actions app.
ACTION_ROUTES = {"item-raise-action", "meeting-review"}


def url(name, meeting, **extra):
    app = "actions" if name in ACTION_ROUTES else "meetings"
    return reverse(f"{app}:{name}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk, **extra})


def login(client, user):
    client.force_login(user)
    return client


def attendance_data(meeting, status: str) -> dict:
    """The attendance form as the page draws it (with the rows' fingerprint), every row set to `status`."""
    rows = list(meeting.attendances.all())
    return {"fingerprint": services.attendance_fingerprint(rows)} | {f"status-{a.pk}": status for a in rows}


def lock(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.APPROVED)
    meeting.refresh_from_db()


# --- Permissions: every write refuses GET, members and outsiders ---------------------------------


def write_urls(meeting, item):
    it = {"item_pk": item.pk}
    return [
        url("meeting-attendance", meeting),
        url("meeting-guest-add", meeting),
        url("item-add", meeting),
        url("item-remove", meeting, **it),
        url("item-move", meeting, **it),
        url("item-defer", meeting, **it),
        url("item-minutes", meeting, **it),
        url("item-raise-action", meeting, **it),
        url("paper-add", meeting, **it),
        url("meeting-reopen", meeting),
        reverse("meetings:topic-add", kwargs={"slug": meeting.board.slug}),
    ]


def test_a_get_on_a_post_only_view_goes_to_the_page_the_form_is_on(client, secretary, meeting, item):
    login(client, secretary)
    pages = {
        meeting.get_absolute_url(),
        url("meeting-agenda", meeting),
        reverse("meetings:forward-plan", args=[meeting.board.slug]),
    }
    for u in write_urls(meeting, item):
        response = client.get(u)
        assert response.status_code == 302 and response["Location"].split("#")[0] in pages, u
        assert client.put(u).status_code == 405, u
    item.refresh_from_db()
    assert item.removed_at is None and not meeting.items.filter(position__gt=5).exists()
    meeting.refresh_from_db()
    assert not meeting.is_locked


def test_it_refuses_a_members_post_with_403_and_an_outsiders_with_404(client, member, outsider, meeting, item):
    urls = write_urls(meeting, item) + [
        url("meeting-review", meeting),
        url("item-edit", meeting, item_pk=item.pk),
        url("meeting-edit", meeting),
        reverse("meetings:meeting-schedule", kwargs={"slug": meeting.board.slug}),
    ]
    login(client, member)
    for u in urls:
        assert client.post(u, {}).status_code == 403, u
    login(client, outsider)
    for u in urls:
        assert client.post(u, {}).status_code == 404, u
    assert client.get(url("meeting-detail", meeting)).status_code == 404


def test_it_shows_members_the_pages_without_edit_controls(client, member, meeting, item):
    # An action to review, so that the review page would show its form to an editor.
    open_one = action_raise(
        board=meeting.board, text="Circulate the data pack", whole_board=True, issued_on=datetime.date(2030, 1, 10)
    )
    login(client, member)
    for name in ("meeting-detail", "meeting-agenda", "meeting-review"):
        response = client.get(url(name, meeting))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Save attendance" not in body and "Add item" not in body and "Approve minutes" not in body
        assert "Save the review" not in body and f'name="status-{open_one.pk}"' not in body
    body = client.get(reverse("meetings:forward-plan", kwargs={"slug": meeting.board.slug})).content.decode()
    assert "Propose topic" not in body


# --- Schedule --------------------------------------------------------------------------------------


def test_it_schedules_a_meeting_with_standing_items_and_members_invited(client, secretary, board, member):
    login(client, secretary)
    response = client.post(
        reverse("meetings:meeting-schedule", kwargs={"slug": board.slug}),
        {"date": "2030-05-01", "start_time": "10:00", "end_time": "11:30", "place": "Reading", "title": ""},
    )
    meeting = Meeting.objects.get(board=board, date=datetime.date(2030, 5, 1))
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.items.filter(is_standing=True).count() == 5
    assert set(meeting.attendances.values_list("person__initials", flat=True)) == {"SS", "MM"}


def test_it_proposes_the_next_meeting_at_the_usual_time(client, secretary, meeting):
    login(client, secretary)
    response = client.get(
        reverse("meetings:meeting-schedule", kwargs={"slug": meeting.board.slug}) + f"?after={meeting.pk}"
    )
    assert response.status_code == 200
    assert response.context["form"].initial["date"] == meeting.date + datetime.timedelta(weeks=13)
    assert response.context["form"].initial["start_time"] == meeting.board.default_start_time


def test_it_refuses_a_meeting_that_ends_before_it_starts(client, secretary, board):
    login(client, secretary)
    response = client.post(
        reverse("meetings:meeting-schedule", kwargs={"slug": board.slug}),
        {"date": "2030-05-01", "start_time": "12:00", "end_time": "11:00"},
    )
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert not Meeting.objects.filter(board=board).exists()


# --- Attendance ------------------------------------------------------------------------------------


def test_it_saves_apologies_and_a_deputy_in_one_form(client, secretary, member, meeting):
    login(client, secretary)
    sec = Attendance.objects.get(meeting=meeting, person__user=secretary)
    mem = Attendance.objects.get(meeting=meeting, person__user=member)
    data = attendance_data(meeting, "present")
    data.update({f"deputy-{sec.pk}": str(mem.person_id), f"status-{mem.pk}": "apologies"})
    response = client.post(url("meeting-attendance", meeting), data)
    assert response.status_code == 302
    sec.refresh_from_db(), mem.refresh_from_db()
    assert (sec.status, sec.deputising_for_id) == (AttendanceStatus.PRESENT, mem.person_id)
    assert mem.status == AttendanceStatus.APOLOGIES


def test_it_refuses_a_person_deputising_for_themselves(client, secretary, meeting):
    login(client, secretary)
    sec = Attendance.objects.get(meeting=meeting, person__user=secretary)
    data = attendance_data(meeting, "present")
    data[f"deputy-{sec.pk}"] = str(sec.person_id)
    response = client.post(url("meeting-attendance", meeting), data)
    assert response.status_code == 400
    assert "Nobody deputises for themselves" in response.content.decode()
    sec.refresh_from_db()
    assert sec.deputising_for_id is None


def test_it_adds_a_guest_creating_the_person(client, secretary, meeting):
    login(client, secretary)
    response = client.post(
        url("meeting-guest-add", meeting),
        {"full_name": "Janice Spencer", "organisation": "East Midlands RAB", "status": "present"},
    )
    assert response.status_code == 302
    att = Attendance.objects.get(meeting=meeting, person__full_name="Janice Spencer")
    assert att.is_guest and att.person.initials == "JS"


def test_it_refuses_a_guest_without_a_name(client, secretary, meeting):
    login(client, secretary)
    response = client.post(url("meeting-guest-add", meeting), {"full_name": "", "status": "present"})
    assert response.status_code == 400
    assert "give the new guest" in response.content.decode()


# --- Agenda ----------------------------------------------------------------------------------------


def test_it_adds_an_item_before_any_other_business_with_start_times(client, secretary, meeting):
    login(client, secretary)
    response = client.post(
        url("item-add", meeting),
        {"title": "PLO working group report", "purpose": "discussion", "lead_text": "Sue", "duration_minutes": "20"},
    )
    assert response.status_code == 302
    titles = list(meeting.items.live().order_by("position").values_list("title", flat=True))
    assert titles[3] == "PLO working group report" and titles[4] == "Any other business"
    page = client.get(url("meeting-agenda", meeting))
    item = next(i for i in page.context["items"] if i.title == "PLO working group report")
    assert item.starts_at == datetime.time(14, 20)  # after 5 + 5 + 10 minutes of standing items


def test_it_refuses_an_item_without_a_title_or_with_a_silly_duration(client, secretary, meeting):
    login(client, secretary)
    response = client.post(url("item-add", meeting), {"title": "", "purpose": "discussion", "duration_minutes": "0"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required" in body and "between 1 minute and 24 hours" in body
    assert meeting.items.count() == 5


def test_it_edits_an_item_and_refuses_a_stale_edit(client, secretary, meeting, item):
    login(client, secretary)
    data = {
        "title": "Minutes and matters arising",
        "purpose": "decision",
        "duration_minutes": "7",
        "version": item.version,
    }
    assert client.get(url("item-edit", meeting, item_pk=item.pk)).status_code == 200
    assert client.post(url("item-edit", meeting, item_pk=item.pk), data).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.duration_minutes) == ("Minutes and matters arising", 7)
    response = client.post(url("item-edit", meeting, item_pk=item.pk), {**data, "title": "Mine"})  # old version
    assert response.status_code == 409
    assert "Someone else saved this" in response.content.decode() and "Mine" in response.content.decode()


def test_it_moves_an_item_up_and_removes_one_softly(client, secretary, meeting, item):
    login(client, secretary)
    assert client.post(url("item-move", meeting, item_pk=item.pk), {"direction": "up"}).status_code == 302
    item.refresh_from_db()
    assert item.position == 1
    assert client.post(url("item-remove", meeting, item_pk=item.pk)).status_code == 302
    item.refresh_from_db()
    assert item.removed_at is not None
    assert list(meeting.items.live().values_list("position", flat=True)) == [1, 2, 3, 4]
    assert item not in client.get(url("meeting-agenda", meeting)).context["items"]


def test_it_refuses_a_bad_move_direction(client, secretary, meeting, item):
    login(client, secretary)
    response = client.post(url("item-move", meeting, item_pk=item.pk), {"direction": "sideways"}, follow=True)
    assert "Move an item up or down" in response.content.decode()


def test_it_attaches_a_pdf_and_serves_it_only_through_the_checked_view(
    client, secretary, member, outsider, meeting, item
):
    login(client, secretary)
    pdf = SimpleUploadedFile("annex-a.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        url("paper-add", meeting, item_pk=item.pk), {f"paper-{item.pk}-title": "Annex A", f"paper-{item.pk}-file": pdf}
    )
    assert response.status_code == 302
    paper = Paper.objects.get(item=item)
    download = url("paper-download", meeting, item_pk=item.pk, paper_pk=paper.pk)
    assert download in client.get(url("meeting-agenda", meeting)).content.decode()
    login(client, member)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    login(client, outsider)
    assert client.get(download).status_code == 404


def test_it_refuses_other_file_types_and_files_over_20_mb(client, secretary, meeting, item, settings):
    login(client, secretary)
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url("paper-add", meeting, item_pk=item.pk), {f"paper-{item.pk}-file": exe})
    assert response.status_code == 400 and "must be PDF, Word or Excel" in response.content.decode()
    settings.MAX_UPLOAD_BYTES = 10  # stands in for 20 MB without writing 20 MB
    big = SimpleUploadedFile("big.docx", b"x" * 11)
    response = client.post(url("paper-add", meeting, item_pk=item.pk), {f"paper-{item.pk}-file": big})
    assert response.status_code == 400 and "at most 20 MB" in response.content.decode()
    assert not Paper.objects.exists()


def test_it_refuses_a_file_that_is_not_what_its_name_says(client, secretary, meeting, item):
    login(client, secretary)
    for name, content in [
        ("annex.pdf", b"\x89PNG\r\n\x1a\n fake"),
        ("annex.docx", b"MZ\x90\x00"),
        ("annex.xls", b"%PDF-1.4"),
    ]:
        response = client.post(
            url("paper-add", meeting, item_pk=item.pk), {f"paper-{item.pk}-file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 400, name
        assert "is not a real" in response.content.decode()
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8
    response = client.post(
        url("paper-add", meeting, item_pk=item.pk), {f"paper-{item.pk}-file": SimpleUploadedFile("old.doc", ole2)}
    )
    assert response.status_code == 302
    assert [p.title for p in Paper.objects.all()] == ["old.doc"]


def test_it_defers_an_item_to_the_next_meeting(client, secretary, board, meeting, item):
    login(client, secretary)
    response = client.post(url("item-defer", meeting, item_pk=item.pk), follow=True)
    assert "Schedule the next meeting first" in response.content.decode()
    following = meeting_schedule(
        board=board, date=datetime.date(2030, 6, 5), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    assert client.post(url("item-defer", meeting, item_pk=item.pk)).status_code == 302
    item.refresh_from_db()
    assert item.deferred_to.meeting == following and item.deferred_to.title == item.title
    # Both pages say where it went, read with the items (selectors.meeting_for_page)
    page = client.get(url("meeting-detail", meeting)).content.decode()
    assert f'Deferred to <a href="{url("meeting-detail", following)}">5 June 2030</a>' in page
    agenda = client.get(url("meeting-agenda", meeting)).content.decode()
    assert "Deferred to the meeting of 5 June 2030" in agenda
    assert agenda.count("disabled>Defer<") == 1


# --- Minutes and actions ---------------------------------------------------------------------------


def test_it_saves_minutes_and_refuses_a_stale_save(client, secretary, meeting, item):
    login(client, secretary)
    prefix = f"minutes-{item.pk}"
    data = {
        f"{prefix}-notes": "Minutes of January agreed.",
        f"{prefix}-decisions": "Agreed.",
        f"{prefix}-version": item.version,
    }
    assert client.post(url("item-minutes", meeting, item_pk=item.pk), data).status_code == 302
    item.refresh_from_db()
    assert item.notes == "Minutes of January agreed."
    response = client.post(url("item-minutes", meeting, item_pk=item.pk), {**data, f"{prefix}-notes": "My late text"})
    assert response.status_code == 409 and "My late text" in response.content.decode()


def test_it_raises_an_action_with_the_next_number_shown_at_once(client, secretary, board, meeting, item):
    board.next_action_number = 77
    board.save()
    login(client, secretary)
    person = Person.objects.get(user=secretary)
    prefix = f"action-{item.pk}"
    response = client.post(
        url("item-raise-action", meeting, item_pk=item.pk),
        {f"{prefix}-text": "Write to the DfE", f"{prefix}-responsible": [person.pk]},
        follow=True,
    )
    action = Action.objects.get(board=board, number=77)
    assert action.agenda_item == item and action.meeting == meeting and action.people == [person]
    body = response.content.decode()
    assert "Action 77 raised" in body and "<strong>Action 77</strong>" in body


def test_the_service_refuses_an_action_raised_at_an_item_of_approved_minutes(meeting, item):
    from django.core.exceptions import ValidationError

    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.APPROVED)
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        action_raise(board=meeting.board, text="Too late", whole_board=True, item=item)
    assert not Action.objects.exists()


def test_it_refuses_an_action_without_text_or_responsible(client, secretary, meeting, item):
    login(client, secretary)
    response = client.post(url("item-raise-action", meeting, item_pk=item.pk), {f"action-{item.pk}-text": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say who is responsible" in body
    assert not Action.objects.exists()


# --- Approval and the lock -------------------------------------------------------------------------


def test_it_approves_minutes_and_then_refuses_edits(client, secretary, meeting, item):
    login(client, secretary)
    assert client.post(url("meeting-approve", meeting), {"confirm": "True"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_locked and meeting.approved_by == secretary
    prefix = f"minutes-{item.pk}"
    for u, data in [
        (url("item-minutes", meeting, item_pk=item.pk), {f"{prefix}-notes": "late", f"{prefix}-version": item.version}),
        (url("item-add", meeting), {"title": "Late item", "purpose": "information", "duration_minutes": "5"}),
        (url("item-remove", meeting, item_pk=item.pk), {}),
        (url("meeting-guest-add", meeting), {"full_name": "Late Guest", "status": "present"}),
        (url("meeting-attendance", meeting), attendance_data(meeting, "absent")),
        (
            url("paper-add", meeting, item_pk=item.pk),
            {f"paper-{item.pk}-file": SimpleUploadedFile("late.pdf", b"%PDF")},
        ),
        (
            url("item-edit", meeting, item_pk=item.pk),
            {"title": "Late title", "purpose": "information", "duration_minutes": "5", "version": item.version},
        ),
    ]:
        response = client.post(u, data, follow=True)
        assert "approved and locked" in response.content.decode(), u
    item.refresh_from_db()
    assert item.notes == "" and item.removed_at is None
    assert not AgendaItem.objects.filter(title__in=["Late item", "Late title"]).exists()
    assert not Paper.objects.exists() and not meeting.attendances.filter(status="absent").exists()
    body = client.get(url("meeting-detail", meeting)).content.decode()
    assert "Save attendance" not in body and "Save minutes" not in body


@pytest.mark.parametrize("role", ["chair", "secretary"])
def test_the_chair_vice_chair_or_secretary_may_reopen_and_the_reason_is_recorded(
    client, member, chair, secretary, meeting, role
):
    """DESIGN.md: the chair, vice chair and secretary approve and reopen; members may not."""
    editor = {"chair": chair, "secretary": secretary}[role]
    lock(meeting)
    login(client, member)
    assert client.post(url("meeting-reopen", meeting), {"reason": "Typo"}).status_code == 403
    login(client, editor)
    assert "Reopen the minutes" in client.get(url("meeting-detail", meeting)).content.decode()
    assert client.post(url("meeting-reopen", meeting), {"reason": ""}).status_code == 400
    assert client.post(url("meeting-reopen", meeting), {"reason": "Typo in item 2"}).status_code == 302
    meeting.refresh_from_db()
    assert not meeting.is_locked
    record = meeting.history.filter(history_change_reason__startswith="Reopened").get()
    assert record.history_user == editor and "Typo in item 2" in record.history_change_reason
    assert "Typo in item 2" in client.get(url("meeting-detail", meeting)).content.decode()


def test_it_refuses_a_member_to_approve(client, member, meeting):
    login(client, member)
    assert client.get(url("meeting-approve", meeting)).status_code == 403
    assert client.post(url("meeting-approve", meeting), {"confirm": "True"}).status_code == 403
    meeting.refresh_from_db()
    assert not meeting.is_locked


# --- Forward plan ----------------------------------------------------------------------------------


def test_it_proposes_a_topic_and_schedules_it_into_a_future_meeting(client, secretary, board, meeting):
    login(client, secretary)
    person = Person.objects.get(user=secretary)
    plan = reverse("meetings:forward-plan", kwargs={"slug": board.slug})
    response = client.post(
        reverse("meetings:topic-add", kwargs={"slug": board.slug}),
        {"title": "Post order direct contact", "proposed_by": person.pk, "proposed_at": meeting.pk},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(board=board)
    assert "Post order direct contact" in client.get(plan).content.decode()
    schedule = reverse("meetings:topic-schedule", kwargs={"slug": board.slug, "topic_pk": topic.pk})
    assert client.post(schedule, {f"topic-{topic.pk}-meeting": meeting.pk}).status_code == 302
    topic.refresh_from_db()
    assert topic.scheduled_item.meeting == meeting and topic.scheduled_item.title == "Post order direct contact"
    page = client.get(plan)
    assert page.context["untaken"] == [] and page.context["scheduled"] == [topic]


def test_it_refuses_a_topic_without_title_and_scheduling_into_a_past_meeting(client, secretary, board):
    login(client, secretary)
    assert client.post(reverse("meetings:topic-add", kwargs={"slug": board.slug}), {"title": ""}).status_code == 400
    past = meeting_schedule(
        board=board, date=datetime.date(2020, 1, 1), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    topic = Topic.objects.create(board=board, title="PIF")
    schedule = reverse("meetings:topic-schedule", kwargs={"slug": board.slug, "topic_pk": topic.pk})
    assert client.post(schedule, {f"topic-{topic.pk}-meeting": past.pk}).status_code == 400
    topic.refresh_from_db()
    assert topic.scheduled_item is None


def test_it_answers_an_htmx_move_with_just_the_agenda_table(client, secretary, meeting, item):
    login(client, secretary)
    response = client.post(
        url("item-move", meeting, item_pk=item.pk), {"direction": "down"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="agenda-items">') and "<html" not in body
    assert "moved down" in body and 'hx-swap-oob="true"' in body
    item.refresh_from_db()
    assert item.position == 3


def test_it_shows_members_draft_minutes_only_once_circulated(client, secretary, member, meeting, item):
    item.notes = "Draft discussion"
    item.save()
    login(client, member)
    assert "Draft discussion" not in client.get(url("meeting-detail", meeting)).content.decode()
    assert client.post(url("meeting-circulate", meeting)).status_code == 403
    login(client, secretary)
    assert client.get(url("meeting-circulate", meeting)).status_code == 302
    response = client.post(url("meeting-circulate", meeting), follow=True)
    assert "Draft minutes circulated" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes_circulated_at is not None and meeting.status == "held"
    # Circulating twice is refused with a message, and changes nothing.
    response = client.post(url("meeting-circulate", meeting), follow=True)
    assert "already circulated" in response.content.decode()
    login(client, member)
    assert "Draft discussion" in client.get(url("meeting-detail", meeting)).content.decode()


def test_it_edits_the_meeting_details_and_refuses_a_stale_or_locked_edit(client, secretary, meeting):
    login(client, secretary)
    edit = url("meeting-edit", meeting)
    assert client.get(edit).status_code == 200
    data = {
        "date": "2030-03-13",
        "start_time": "10:00",
        "end_time": "11:00",
        "place": "Reading",
        "version": meeting.version,
    }
    assert client.post(edit, data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.date, meeting.place) == (datetime.date(2030, 3, 13), "Reading")
    assert client.post(edit, {**data, "place": "Oxford"}).status_code == 409
    assert client.post(edit, {**data, "end_time": "09:00", "version": meeting.version}).status_code == 400
    lock(meeting)
    response = client.post(edit, {**data, "place": "Oxford", "version": meeting.version}, follow=True)
    assert "approved and locked" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Reading"


def test_approving_asks_for_confirmation_on_a_page_that_needs_no_javascript(client, chair, member, meeting):
    login(client, chair)
    page = client.get(url("meeting-detail", meeting)).content.decode()
    # The meeting page links to the confirmation step; no form approves in one click.
    assert f'href="{url("meeting-approve", meeting)}"' in page
    assert f'action="{url("meeting-approve", meeting)}"' not in page
    confirm = client.get(url("meeting-approve", meeting))
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Approve and lock the minutes" in body and "version 1" in body
    # A POST without the confirmation approves nothing.
    refused = client.post(url("meeting-approve", meeting))
    assert refused.status_code == 400 and "confirm it with the button" in refused.content.decode()
    meeting.refresh_from_db()
    assert not meeting.is_locked
    assert client.post(url("meeting-approve", meeting), {"confirm": "True"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_locked and meeting.approved_by == chair
    # Approved: the confirmation page sends back to the meeting; reopening is offered to editors only.
    assert client.get(url("meeting-approve", meeting)).status_code == 302
    assert "Reopen the minutes" in client.get(url("meeting-detail", meeting)).content.decode()
    login(client, member)
    page = client.get(url("meeting-detail", meeting)).content.decode()
    assert "Reopen the minutes" not in page and "Approve minutes" not in page


def test_the_meeting_page_links_the_next_meeting_and_lists_approved_versions(client, secretary, board, meeting):
    """The next meeting and the record's presence are read with the meeting (selectors.meeting_for_page)."""
    earlier = meeting_schedule(
        board=board, date=datetime.date(2030, 1, 9), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    same_day_later = meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(16), end_time=datetime.time(17)
    )
    login(client, secretary)
    page = client.get(url("meeting-detail", earlier)).content.decode()
    assert f'href="{url("meeting-detail", meeting)}">6 March 2030</a>' in page
    page = client.get(url("meeting-detail", meeting)).content.decode()
    assert f'href="{url("meeting-detail", same_day_later)}">6 March 2030</a>' in page
    assert "Next meeting:" not in client.get(url("meeting-detail", same_day_later)).content.decode()

    assert 'data-testid="minutes-versions"' not in page
    services.minutes_approve(meeting=earlier, by=secretary)
    page = client.get(url("meeting-detail", earlier)).content.decode()
    assert 'data-testid="minutes-versions"' in page and "Version 1, approved" in page
