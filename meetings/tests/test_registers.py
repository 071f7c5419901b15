"""The registers the minutes feed: decisions (from each item's "Decisions" box) and declarations of
interest; their pages, filters, CSV exports, and their place in the minutes PDF and Word file."""

import csv
import datetime
import io

import docx
import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from conftest import make_person
from meetings import services, services_registers
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Decision,
    Declaration,
    Meeting,
    MeetingStatus,
    Role,
)


def make_meeting(board, date, **fields):
    return Meeting.objects.create(
        board=board, date=date, start_time=datetime.time(14), end_time=datetime.time(15, 30), **fields
    )


@pytest.fixture
def meeting(board, secretary, member):
    m = services.meeting_schedule(
        board=board, date=datetime.date(2024, 7, 17), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    m.items.create(position=0, title="Declarations of interest", duration_minutes=5, is_standing=True)
    services._renumber(list(m.items.live().order_by("position", "pk")))
    m.attendances.update(status=AttendanceStatus.PRESENT)
    return m


def save_minutes(client, item, *, notes="", decisions=""):
    item.refresh_from_db()
    prefix = f"minutes-{item.pk}"
    return client.post(
        reverse("meetings:item-minutes", args=[item.meeting.board.slug, item.meeting_id, item.pk]),
        {f"{prefix}-notes": notes, f"{prefix}-decisions": decisions, f"{prefix}-version": item.version},
    )


def item_titled(meeting, title) -> AgendaItem:
    return meeting.items.live().get(title=title)


# --- Decisions --------------------------------------------------------------------------------


def test_each_line_of_an_items_decisions_becomes_a_row_of_the_register(client, secretary, meeting):
    client.force_login(secretary)
    item = item_titled(meeting, "Action log review")
    response = save_minutes(
        client, item, decisions="The Board agreed to note the report.\n\n- The Board agreed to take a paper in July.\n"
    )
    assert response.status_code == 302
    rows = list(Decision.objects.filter(item=item).order_by("position"))
    assert [(d.position, d.text, d.meeting_id) for d in rows] == [
        (1, "The Board agreed to note the report.", meeting.pk),
        (2, "The Board agreed to take a paper in July.", meeting.pk),
    ]
    first = rows[0]

    # An edited line updates its row, a removed one deletes its row: each change in the audit trail.
    save_minutes(client, item, decisions="The Board agreed to note the report, with thanks.")
    rows = list(Decision.objects.filter(item=item))
    assert [(d.pk, d.text) for d in rows] == [(first.pk, "The Board agreed to note the report, with thanks.")]
    assert Decision.history.filter(id=first.pk).count() == 2
    assert Decision.history.filter(history_type="-").count() == 1
    save_minutes(client, item, decisions="")
    assert not Decision.objects.filter(item=item).exists()


def test_decisions_of_approved_minutes_cannot_change(client, secretary, chair, meeting):
    item = item_titled(meeting, "Action log review")
    services.item_minutes_save(item=item, expected_version=item.version, notes="", decisions="Agreed.")
    services.minutes_approve(meeting=meeting, by=chair)
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        services.item_minutes_save(item=item, expected_version=item.version, notes="", decisions="Changed.")
    assert list(Decision.objects.values_list("text", flat=True)) == ["Agreed."]


def test_the_decisions_register_lists_filters_searches_and_exports(client, board, secretary, member, meeting):
    earlier = make_meeting(
        board, datetime.date(2024, 4, 17), minutes_circulated_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    )
    old_item = earlier.items.create(position=1, title="Kinship care", decisions="")
    services.item_minutes_save(
        item=old_item, expected_version=1, notes="", decisions="The Board agreed the kinship plan."
    )
    item = item_titled(meeting, "Action log review")
    services.item_minutes_save(
        item=item, expected_version=item.version, notes="", decisions="The Board agreed to note the report."
    )
    url = reverse("meetings:decision-register", args=[board.slug])
    client.force_login(secretary)
    page = client.get(url).content.decode()
    assert page.index("The Board agreed to note the report.") < page.index("The Board agreed the kinship plan.")
    assert "17 July 2024" in page and "Action log review" in page

    by_meeting = client.get(url, {"meeting": earlier.pk}).content.decode()
    assert "kinship plan" in by_meeting and "note the report" not in by_meeting
    by_date = client.get(url, {"date_from": "2024-07-01"}).content.decode()
    assert "note the report" in by_date and "kinship plan" not in by_date
    searched = client.get(url, {"q": "KINSHIP plan"}).content.decode()
    assert "kinship plan" in searched and "note the report" not in searched
    assert client.get(url, {"date_from": "not a date"}).status_code == 400
    assert client.get(url, {"meeting": "99999999999999999999999"}).status_code == 400

    export = client.get(reverse("documents:decision-export-csv", args=[board.slug]), {"q": "report"})
    assert export.status_code == 200 and export["Cache-Control"] == "private, no-store"
    assert export["Content-Disposition"].startswith('attachment; filename="test-alb-decisions-')
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows == [
        ["Meeting", "Item", "Item title", "Decision"],
        ["2024-07-17", str(item.position), "Action log review", "The Board agreed to note the report."],
    ]
    assert client.get(reverse("documents:decision-export-csv", args=[board.slug]), {"date_to": "x"}).status_code == 400

    # Members read only decisions of minutes circulated or approved: not July's draft.
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "kinship plan" in page and "note the report" not in page
    export = client.get(reverse("documents:decision-export-csv", args=[board.slug])).content.decode("utf-8-sig")
    assert "kinship plan" in export and "note the report" not in export


def test_the_register_pages_in_fifties_with_the_same_queries_for_few_or_many(
    client, board, secretary, meeting, django_assert_num_queries
):
    item = item_titled(meeting, "Action log review")
    services.item_minutes_save(item=item, expected_version=item.version, notes="", decisions="One.\nTwo.")
    client.force_login(secretary)
    url = reverse("meetings:decision-register", args=[board.slug])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    item.refresh_from_db()
    services.item_minutes_save(
        item=item, expected_version=item.version, notes="", decisions="\n".join(f"Decision {i}." for i in range(120))
    )
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('<td class="minutes-notes">') == 50
    assert "page 1 of 3" in page.content.decode()


# --- Declarations of interest -----------------------------------------------------------------


def test_the_secretary_records_declarations_and_none_declared(client, board, secretary, chair, member, meeting):
    client.force_login(secretary)
    url = reverse("meetings:meeting-declarations", args=[board.slug, meeting.pk])
    item = item_titled(meeting, "Action log review")
    mary = member.person
    response = client.post(url, {"person": mary.pk, "item": item.pk, "interest": "Her daughter works for Adopt South"})
    assert response.status_code == 302
    declaration = Declaration.objects.get(meeting=meeting, person=mary)
    assert (declaration.item, declaration.interest, declaration.none_declared) == (
        item,
        "Her daughter works for Adopt South",
        False,
    )
    assert declaration.history.get().history_user == secretary

    response = client.post(reverse("meetings:declarations-none", args=[board.slug, meeting.pk]))
    assert response.status_code == 302
    nones = Declaration.objects.filter(meeting=meeting, none_declared=True)
    assert sorted(d.person.initials for d in nones) == ["CC", "SS"]

    # A declaration from someone who had declared none replaces their "none".
    response = client.post(url, {"person": chair.person.pk, "item": "", "interest": "Trustee of PACT"})
    assert response.status_code == 302
    chair_rows = Declaration.objects.filter(meeting=meeting, person=chair.person)
    assert [(d.none_declared, d.item, d.interest) for d in chair_rows] == [(False, None, "Trustee of PACT")]

    page = client.get(url).content.decode()
    assert "Her daughter works for Adopt South" in page and "None declared" in page and "In general" in page

    removed = client.post(reverse("meetings:declaration-remove", args=[board.slug, meeting.pk, declaration.pk]))
    assert removed.status_code == 302 and not Declaration.objects.filter(pk=declaration.pk).exists()
    assert Declaration.history.filter(id=declaration.pk, history_type="-").exists()


def test_bad_declarations_are_refused_next_to_the_field(client, board, secretary, member, other_board, meeting):
    client.force_login(secretary)
    url = reverse("meetings:meeting-declarations", args=[board.slug, meeting.pk])
    absent = make_person("absent", "Abe Sent", "AS", board=board)
    Attendance.objects.create(meeting=meeting, person=absent.person, status=AttendanceStatus.APOLOGIES)
    other_item = make_meeting(other_board, datetime.date(2024, 7, 1)).items.create(title="Elsewhere")
    for data in (
        {"person": member.person.pk, "interest": ""},
        {"person": member.person.pk, "interest": "x" * 2001},
        {"person": absent.person.pk, "interest": "Something"},
        {"person": "99999999999999999999999", "interest": "Something"},
        {"person": member.person.pk, "item": other_item.pk, "interest": "Something"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert 'class="invalid-feedback' in response.content.decode() or "alert" in response.content.decode()
    assert not Declaration.objects.exists()
    with pytest.raises(ValidationError):
        services_registers.declaration_add(meeting=meeting, person=absent.person, interest="x")


def test_the_database_keeps_one_none_declared_and_no_empty_interest(meeting, member):
    Declaration.objects.create(meeting=meeting, person=member.person, none_declared=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.create(meeting=meeting, person=member.person, none_declared=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.create(meeting=meeting, person=member.person, interest="")


def test_declarations_of_approved_minutes_cannot_change(client, board, secretary, chair, member, meeting):
    declaration = services_registers.declaration_add(meeting=meeting, person=member.person, interest="Trustee")
    services.minutes_approve(meeting=meeting, by=chair)
    client.force_login(secretary)
    url = reverse("meetings:meeting-declarations", args=[board.slug, meeting.pk])
    assert client.post(url, {"person": member.person.pk, "interest": "More"}).status_code == 302
    client.post(reverse("meetings:declarations-none", args=[board.slug, meeting.pk]))
    client.post(reverse("meetings:declaration-remove", args=[board.slug, meeting.pk, declaration.pk]))
    assert list(Declaration.objects.values_list("interest", flat=True)) == ["Trustee"]
    with pytest.raises(ValidationError):
        services_registers.declaration_remove(declaration=declaration)


def test_members_see_declarations_once_the_minutes_are_circulated(client, board, secretary, member, meeting):
    services_registers.declaration_add(meeting=meeting, person=member.person, interest="Trustee of PACT")
    url = reverse("meetings:meeting-declarations", args=[board.slug, meeting.pk])
    register = reverse("meetings:interest-register", args=[board.slug])
    client.force_login(member)
    assert client.get(url).status_code == 404
    assert "Trustee of PACT" not in client.get(register).content.decode()
    services.minutes_circulate(meeting=meeting)
    page = client.get(url)
    assert page.status_code == 200 and "Trustee of PACT" in page.content.decode()
    assert "Record declaration" not in page.content.decode()
    assert client.post(url, {"person": member.person.pk, "interest": "x"}).status_code == 403
    assert "Trustee of PACT" in client.get(register).content.decode()


def test_the_register_of_interests_over_time_filters_and_exports(client, board, secretary, chair, member, meeting):
    earlier = make_meeting(board, datetime.date(2024, 4, 17))
    Attendance.objects.create(meeting=earlier, person=member.person, status=AttendanceStatus.PRESENT)
    services_registers.declaration_add(meeting=earlier, person=member.person, interest="Trustee of PACT")
    services_registers.declaration_add(meeting=meeting, person=member.person, interest="Trustee of PACT, still")
    services_registers.declarations_none(meeting=meeting, people=[chair.person])
    client.force_login(secretary)
    url = reverse("meetings:interest-register", args=[board.slug])
    page = client.get(url).content.decode().split("<tbody>")[1]
    assert page.index("Trustee of PACT, still") < page.index("17 April 2024")
    assert "None declared" in page
    assert "Colin Chair" not in client.get(url, {"person": member.person.pk}).content.decode().split("<tbody>")[1]
    april_only = client.get(url, {"date_to": "2024-05-01"}).content.decode()
    assert "Trustee of PACT" in april_only and "still" not in april_only
    export = client.get(reverse("documents:interest-export-csv", args=[board.slug]), {"q": "pact"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows == [
        ["Meeting", "Person", "Initials", "Item", "Interest declared"],
        ["2024-07-17", "Mary Member", "MM", "", "Trustee of PACT, still"],
        ["2024-04-17", "Mary Member", "MM", "", "Trustee of PACT"],
    ]
    assert client.get(reverse("documents:interest-export-csv", args=[board.slug]), {"person": "x"}).status_code == 400


# --- In the minutes ---------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages
    )


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


@pytest.fixture
def minuted(board, secretary, chair, member, meeting):
    item = item_titled(meeting, "Action log review")
    services.item_minutes_save(
        item=item,
        expected_version=item.version,
        notes="The log was reviewed.",
        decisions="The Board agreed to close action 12.\nThe Board agreed to review the log in October.",
    )
    services_registers.declaration_add(meeting=meeting, person=member.person, item=item, interest="Named on action 12")
    services_registers.declarations_none(meeting=meeting, people=[chair.person, secretary.person])
    return meeting


def test_the_minutes_pdf_prints_decisions_under_their_item_and_declarations_under_theirs(client, secretary, minuted):
    client.force_login(secretary)
    board = minuted.board
    text = _pdf_text(client.get(reverse("documents:meeting-minutes-pdf", args=[board.slug, minuted.pk])).content)
    declarations_at = text.index("Item 1: Declarations of interest")
    review_at = text.index("Item 4: Action log review")
    assert declarations_at < text.index("Mary Member (MM): item") < text.index("Named on action 12") < review_at
    assert declarations_at < text.index("Colin Chair (CC): none declared") < review_at
    assert review_at < text.index("Decisions:") < text.index("The Board agreed to close action 12.")
    assert text.index("The Board agreed to close action 12.") < text.index(
        "The Board agreed to review the log in October."
    )


def test_the_minutes_word_file_prints_decisions_and_declarations(client, secretary, minuted):
    client.force_login(secretary)
    board = minuted.board
    text = _docx_text(client.get(reverse("documents:meeting-minutes-docx", args=[board.slug, minuted.pk])).content)
    lines = text.splitlines()
    at = lines.index("Item 1: Declarations of interest")
    # Under each heading: the item's lead and purpose line (as in the PDF), then what was minuted.
    assert lines[at + 1 : at + 3] == ["Information", "No notes recorded."]
    assert lines[at + 3 : at + 6] == [
        "Colin Chair (CC): none declared",
        "Mary Member (MM): item 4, Action log review: Named on action 12",
        "Sally Secretary (SS): none declared",
    ]
    review = lines.index("Item 4: Action log review")
    assert lines[review + 2 : review + 6] == [
        "The log was reviewed.",
        "Decisions:",
        "The Board agreed to close action 12.",
        "The Board agreed to review the log in October.",
    ]


def test_without_the_standing_item_the_declarations_follow_the_apologies(client, secretary, minuted):
    minuted.items.filter(title="Declarations of interest").update(title="Welcome and declarations")
    client.force_login(secretary)
    board = minuted.board
    text = _docx_text(client.get(reverse("documents:meeting-minutes-docx", args=[board.slug, minuted.pk])).content)
    lines = text.splitlines()
    assert (
        lines.index("Apologies")
        < lines.index("Declarations of interest")
        < lines.index("Item 1: Welcome and declarations")
    )
    assert "Mary Member (MM): item 4, Action log review: Named on action 12" in lines


def test_the_meeting_page_shows_declarations_under_the_standing_item(client, member, minuted):
    Meeting.objects.filter(pk=minuted.pk).update(status=MeetingStatus.APPROVED)
    client.force_login(member)
    page = client.get(minuted.get_absolute_url()).content.decode()
    panel = page.split('data-testid="item-declarations"')[1].split("</div>")[0]
    assert "Mary Member (MM): item 4, Action log review: Named on action 12" in panel
    assert "Colin Chair (CC): none declared" in panel


def test_a_secretary_seat_is_not_needed_to_read_a_register_but_a_seat_is(client, outsider, board):
    client.force_login(outsider)
    assert client.get(reverse("meetings:decision-register", args=[board.slug])).status_code == 404
    assert client.get(reverse("meetings:interest-register", args=[board.slug])).status_code == 404
    assert Role.SECRETARY  # outsider is a secretary of another board


def test_the_migration_turns_each_items_decisions_into_rows(meeting):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("meetings.migrations.0006_decisions_declarations")
    item = item_titled(meeting, "Action log review")
    AgendaItem.objects.filter(pk=item.pk).update(decisions="1. Agreed to note the report.\n\n• Agreed to meet in July.")
    migration.decisions_from_text(apps, None)
    assert list(Decision.objects.filter(item=item).values_list("position", "text")) == [
        (1, "Agreed to note the report."),
        (2, "Agreed to meet in July."),
    ]


def test_the_register_of_interests_runs_the_same_queries_for_few_or_many(
    client, board, secretary, meeting, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [make_person(f"p{i}", f"Person {i}", f"P{i:02d}", board=board).person for i in range(60)]
    for person in people:
        Attendance.objects.create(meeting=meeting, person=person, status=AttendanceStatus.PRESENT)
    services_registers.declaration_add(meeting=meeting, person=people[0], interest="Trustee")
    client.force_login(secretary)
    url = reverse("meetings:interest-register", args=[board.slug])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    item = item_titled(meeting, "Action log review")
    for person in people[1:]:
        services_registers.declaration_add(meeting=meeting, person=person, item=item, interest="Trustee")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "page 1 of 2" in page.content.decode()
