"""Text that cannot break a document: every input path fed control characters and very long text,
then every writer asked for its file. Nothing answers 500; no control character is stored or printed.

Inputs: the app's forms (meeting, agenda item, minutes, action raised/edited/updated, guest, topic,
paper, person), the import (a CSV file, with a very long file name) and the admin. Writers: agenda
and minutes PDF, minutes Word, the board pack, the log as CSV, Excel and PDF, the registers' CSV,
the calendar feed.
"""

import csv
import datetime
import io
import re

import docx
import icalendar
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from actions.services import action_raise
from adoptboard.text import CONTROL_CHARACTERS
from documents.pdf import break_long_words
from documents.tests.test_meeting_documents import pdf_pages, words_off_page
from meetings.models import AgendaItem, Meeting, Paper, Person, Topic
from meetings.services import attendance_fingerprint

pytestmark = pytest.mark.django_db

# Every C0 control character a form can carry (NUL included), and the two non-characters.
NASTY = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\ufffe\uffff"
LONG_WORD = "x" * 5000  # no space to break at


def dirty(text: str) -> str:
    return f"Start{NASTY}middle\x0bend"


def stored_dirty(text: str) -> str:
    """What a row might hold when written around the forms (PostgreSQL refuses NUL itself)."""
    return dirty(text).replace("\x00", "")


def clean_of_controls(*values: str) -> bool:
    return not any(CONTROL_CHARACTERS.search(v or "") for v in values)


@pytest.fixture
def secretary_client(client, demo_board):
    client.force_login(get_user_model().objects.get(username="secretary"))
    return client


@pytest.fixture
def april(demo_board):
    return Meeting.objects.get(board=demo_board, date="2024-04-17")


def meeting_url(name, meeting, app="meetings", **extra):
    return reverse(f"{app}:{name}", kwargs={"slug": meeting.board.slug, "pk": meeting.pk, **extra})


def downloads(client, board, meeting) -> dict[str, object]:
    """Every writer's file for the board and meeting: 200 each, read back with the user's tools."""
    slug = board.slug
    urls = {
        "agenda.pdf": meeting_url("meeting-agenda-pdf", meeting, app="documents"),
        "minutes.pdf": meeting_url("meeting-minutes-pdf", meeting, app="documents"),
        "minutes.docx": meeting_url("meeting-minutes-docx", meeting, app="documents"),
        "pack.pdf": meeting_url("meeting-pack-pdf", meeting, app="documents"),
        "export.csv": reverse("documents:action-export-csv", args=[slug]),
        "export.xlsx": reverse("documents:action-export-xlsx", args=[slug]),
        "export.pdf": reverse("documents:action-export-pdf", args=[slug]),
        "calendar.ics": reverse("documents:board-calendar", args=[slug]),
        "decisions.csv": reverse("documents:decision-export-csv", args=[slug]),
        "interests.csv": reverse("documents:interest-export-csv", args=[slug]),
        "meeting page": meeting.get_absolute_url(),
        "agenda page": meeting_url("meeting-agenda", meeting),
        "action log page": reverse("actions:action-list", args=[slug]),
    }
    files = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        files[name] = content
    docx.Document(io.BytesIO(files["minutes.docx"]))
    openpyxl.load_workbook(io.BytesIO(files["export.xlsx"]))
    list(csv.reader(io.StringIO(files["export.csv"].decode("utf-8-sig"))))
    icalendar.Calendar.from_ical(files["calendar.ics"])
    return files


def test_every_form_strips_control_characters_and_every_writer_prints_the_rest(secretary_client, demo_board, april):
    client = secretary_client
    item = april.items.live().order_by("position")[1]
    sent = dirty("x")
    posts = [
        (
            meeting_url("meeting-edit", april),
            {
                "title": sent,
                "date": "2024-04-17",
                "start_time": "14:00",
                "end_time": "16:00",
                "place": sent,
                "version": april.version,
            },
        ),
        (
            meeting_url("item-add", april),
            {"title": sent, "purpose": "discussion", "lead_text": sent, "duration_minutes": "10", "description": sent},
        ),
        (
            meeting_url("item-minutes", april, item_pk=item.pk),
            {f"minutes-{item.pk}-notes": sent, f"minutes-{item.pk}-decisions": sent, f"minutes-{item.pk}-version": 1},
        ),
        (
            meeting_url("item-raise-action", april, app="actions", item_pk=item.pk),
            {f"action-{item.pk}-text": sent, f"action-{item.pk}-whole_board": "on"},
        ),
        (meeting_url("meeting-guest-add", april), {"full_name": sent, "organisation": sent, "status": "present"}),
        (reverse("meetings:topic-add", args=[demo_board.slug]), {"title": sent, "description": sent}),
        (
            meeting_url("paper-add", april, item_pk=item.pk),
            {
                f"paper-{item.pk}-title": sent,
                f"paper-{item.pk}-file": SimpleUploadedFile("annex-" + "a" * 240 + ".pdf", b"%PDF-1.4\n%%EOF\n"),
            },
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302), (url, response.status_code, response.content[:2000])
    action = Action.objects.filter(board=demo_board).order_by("-number").first()
    response = client.post(
        reverse("actions:action-update-add", args=[demo_board.slug, 73]),
        {
            "status_after": "in_progress",
            "note": sent,
            "status_note": sent,
            "meeting": april.pk,
            "version": Action.objects.get(board=demo_board, number=73).version,
        },
    )
    assert response.status_code in (200, 302), response.status_code
    april.refresh_from_db()
    item.refresh_from_db()
    new_item = AgendaItem.objects.filter(meeting=april).order_by("-pk").first()
    guest = Person.objects.order_by("-pk").first()
    topic = Topic.objects.order_by("-pk").first()
    paper = Paper.objects.get()
    note = ActionUpdate.objects.filter(action__number=73).order_by("-pk").first()
    stored = [
        april.title,
        april.place,
        new_item.title,
        new_item.description,
        new_item.lead_text,
        item.notes,
        item.decisions,
        action.text,
        guest.full_name,
        guest.organisation,
        topic.title,
        paper.title,
        note.note,
    ]
    assert all(v.startswith("Start") and v.endswith("middleend") for v in stored), stored
    assert clean_of_controls(*stored)
    assert len(paper.file.name) <= Paper._meta.get_field("file").max_length
    downloads(client, demo_board, april)
    response = client.get(meeting_url("paper-download", april, item_pk=item.pk, paper_pk=paper.pk))
    assert response.status_code == 200


def test_text_stored_with_control_characters_before_this_fix_still_prints(secretary_client, demo_board, april):
    """Rows written before the forms stripped them (or by a script): every writer neutralises them again."""
    item = april.items.live().order_by("position")[1]
    AgendaItem.objects.filter(pk=item.pk).update(
        title=stored_dirty("t"), notes=stored_dirty("n"), decisions=stored_dirty("d")
    )
    Action.objects.filter(board=demo_board, number=73).update(text=stored_dirty("a"), status_note=stored_dirty("s"))
    ActionUpdate.objects.create(
        action=Action.objects.get(board=demo_board, number=73),
        meeting=april,
        note="Progress\x0bnote",
        status_before="open",
        status_after="open",
        created_at=timezone.now(),
    )
    Person.objects.filter(initials="LH").update(full_name=stored_dirty("p"))
    Meeting.objects.filter(pk=april.pk).update(title=stored_dirty("m"), place=stored_dirty("p"))
    demo_board.__class__.objects.filter(pk=demo_board.pk).update(name=stored_dirty("b"))
    april.refresh_from_db()
    files = downloads(secretary_client, demo_board, april)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files["minutes.docx"])).paragraphs)
    assert "Startmiddleend" in text


def test_the_admin_strips_control_characters_too(client, demo_board):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw"))
    person = Person.objects.get(initials="LH")
    response = client.post(
        reverse("admin:meetings_person_change", args=[person.pk]),
        {
            "full_name": "Lorna\x0b Hunt",
            "initials": "LH",
            "organisation": "Adopt\x00 Thames Valley",
            "job_title": "",
            "email": "",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    person.refresh_from_db()
    assert (person.full_name, person.organisation) == ("Lorna Hunt", "Adopt Thames Valley")


def test_an_import_with_control_characters_and_a_very_long_file_name_is_confirmed(secretary_client, demo_board):
    seventy_three = Action.objects.get(board=demo_board, number=73)
    updates_before = seventy_three.updates.count()
    nasty = "\x0b\x01\x1f\ufffe"  # strays: a file full of control characters is refused as binary (400)
    rows = (
        "No.,Action,Responsible,Date issued,Status\r\n"
        f'90,"Write{nasty} to the DfE",LH,Apr 2024,Open\r\n'
        f'73,"{seventy_three.text}",KY,{seventy_three.issued_on:%b %Y},Closed{nasty}\r\n'  # an update: the status
    )
    name = "action-log-exported-from-the-shared-drive-" + "q" * 200 + ".csv"
    response = secretary_client.post(
        reverse("actions:action-import", args=[demo_board.slug]),
        {"file": SimpleUploadedFile(name, rows.encode())},
    )
    assert response.status_code == 200, response.status_code
    payload = response.context["form"].initial["payload"]
    response = secretary_client.post(
        reverse("actions:action-import-confirm", args=[demo_board.slug]), {"payload": payload}
    )
    assert response.status_code == 302, response.status_code
    assert Action.objects.get(board=demo_board, number=90).text == "Write to the DfE"
    changed = Action.objects.get(board=demo_board, number=73)
    assert changed.status == "closed" and changed.updates.count() == updates_before + 1


def test_action_text_has_a_stated_maximum(secretary_client, demo_board, april):
    item = april.items.live().order_by("position")[1]
    body = secretary_client.get(april.get_absolute_url()).content.decode()
    assert "Up to 5,000 characters" in body and 'maxlength="5000"' in body
    response = secretary_client.post(
        meeting_url("item-raise-action", april, app="actions", item_pk=item.pk),
        {f"action-{item.pk}-text": "y" * 5001, f"action-{item.pk}-whole_board": "on"},
    )
    assert response.status_code == 400 and "at most 5000 characters" in response.content.decode()


def test_actions_of_5000_characters_without_a_space_print_and_wrap(secretary_client, demo_board, april):
    # The 25 (they used to take over 30 s in the log PDF; documents.pdf.break_long_words).
    for _ in range(25):
        action_raise(board=demo_board, text=LONG_WORD, whole_board=True, meeting=april)
    files = downloads(secretary_client, demo_board, april)
    for name in ("export.pdf", "minutes.pdf", "agenda.pdf", "pack.pdf"):
        assert files[name].startswith(b"%PDF"), name
        assert words_off_page(files[name]) == [], name
    # The break points are for layout only: the PDF's text is the word as typed, split by lines alone.
    text = "".join(pdf_pages(files["export.pdf"]))
    assert "\u200b" not in text and sum(len(run) for run in re.findall("x{5,}", text)) == 25 * len(LONG_WORD)
    # Word, Excel and CSV keep the exact text.
    sheet = openpyxl.load_workbook(io.BytesIO(files["export.xlsx"])).active
    assert sum(1 for row in sheet.iter_rows(values_only=True) if LONG_WORD in row) == 25
    assert files["export.csv"].decode("utf-8-sig").count(LONG_WORD) == 25


def test_break_points_go_into_long_words_of_the_text_only():
    html = (
        '<html><head><title>{t}</title></head><body class="log"><a href="https://e.org/{t}">{t}</a>'
        "<p>short words stay &amp; as they are</p><td>{amp}</td><td>{accents}</td></body></html>"
    ).format(t="t" * 45, amp="&amp;" * 25, accents="e\u0301" * 25)
    out = break_long_words(html)
    assert out.count("\u200b") == 2 + 1 + 2
    assert "<title>{t}</title>".format(t="t" * 45) in out and 'href="https://e.org/{t}"'.format(t="t" * 45) in out
    assert "<p>short words stay &amp; as they are</p>" in out
    assert "&amp;" * 20 + "\u200b" + "&amp;" * 5 in out  # entities whole
    assert "\u200b\u0301" not in out  # never between a letter and its accent
    assert out.replace("\u200b", "") == html


def test_a_meeting_dated_9999_12_31_pages_documents_and_calendar(secretary_client, demo_board):
    last = Meeting.objects.create(
        board=demo_board,
        date=datetime.date(9999, 12, 31),
        start_time=datetime.time(23),
        end_time=datetime.time(23, 59),
    )
    # Items running past midnight: their start times wrap rather than leave the calendar.
    for position in (1, 2):
        AgendaItem.objects.create(meeting=last, position=position, title=f"Item {position}", duration_minutes=90)
    rows = list(last.attendances.all())
    assert attendance_fingerprint(rows)
    downloads(secretary_client, demo_board, last)
    for url in (
        demo_board.get_absolute_url(),
        reverse("meetings:dashboard"),
        reverse("meetings:forward-plan", args=[demo_board.slug]),
    ):
        assert secretary_client.get(url).status_code == 200, url
    # "Schedule the next meeting" after it proposes no date past the calendar's end.
    response = secretary_client.get(reverse("meetings:meeting-schedule", args=[demo_board.slug]) + f"?after={last.pk}")
    assert response.status_code == 200
    # A date the calendar cannot hold, typed into the form, is a form error.
    response = secretary_client.post(
        meeting_url("meeting-edit", last),
        {"date": "10000-01-01", "start_time": "14:00", "end_time": "15:00", "version": last.version},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "99999999999999999999", "1\x00", "%ff"])
def test_a_calendar_link_with_a_nonsense_user_asks_to_log_in(client, demo_board, value):
    response = client.get(reverse("documents:board-calendar", args=[demo_board.slug]), {"user": value, "token": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
