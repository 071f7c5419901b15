"""The action log typeset by Typst (documents/typeset.py): what a member types is printed as text,
never run as markup; the table's header on every page; the request's PDF and the background's alike."""

import datetime
import io
import re
import shutil
import subprocess

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Status
from actions.selectors import action_log
from actions.services import action_progress_add, action_raise
from actions.tests.test_action_log import make_many
from documents import tasks, typeset, typst_compile, views
from documents.models import LogExport

pytestmark = pytest.mark.django_db

MARKUP = '#panic("x") $x$ *b* _i_ <a> @ref [x] \\ // /* "quotes" #read("/etc/passwd") `raw` = h ~ -- \'s'


def pdftotext(content: bytes) -> str:
    return subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def log_pdf(client, board, query=None) -> bytes:
    response = client.get(reverse("documents:action-export-pdf", kwargs={"slug": board.slug}), query or {})
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_typed_markup_is_printed_as_typed(client, member, board, secretary):
    board.name = f"Board {MARKUP}"
    board.save()
    action = action_raise(board=board, text=f"Action {MARKUP}", whole_board=True, status_note=f"Status {MARKUP}")
    action_progress_add(
        action=action, expected_version=action.version, status=Status.IN_PROGRESS, note=f"Update {MARKUP}", by=secretary
    )
    client.force_login(member)
    text = flat(pdftotext(log_pdf(client, board, {"q": "Action"})))
    expected = (
        f"Board {MARKUP}",
        f"Action {MARKUP}",
        f"Status {MARKUP}",
        f"Update {MARKUP}",
        "Search: Action (1 action).",
    )
    # Compared without white space: a narrow column wraps a line after a "/".
    for printed in expected:
        assert squeeze(printed) in squeeze(text), printed
    assert "In progress" in text


def test_typst_reads_no_file_but_its_template():
    # The sandbox every piece is typeset in: an empty root, no packages. A path outside it, or in it, finds nothing.
    for source in ('#read("/etc/hostname")', '#read("../../../../etc/hostname")', '#import "@preview/x:0.1.0"'):
        with pytest.raises(Exception, match="(?i)not found|access denied|failed to|escape"):
            typst_compile.compile_source(source.encode(), "{}")


def test_the_rows_print_as_the_html_log_did(client, member, board, secretary):
    make_many(board, 2)
    action = action_raise(
        board=board,
        text="Write to the DCS group",
        whole_board=True,
        issued_on=datetime.date(2024, 3, 9),
        due_date=datetime.date(2024, 5, 1),
        status_note="done in May",
    )
    action_progress_add(
        action=action, expected_version=action.version, status=Status.COMPLETE, note="Sent", by=secretary
    )
    bare = action_raise(board=board, text="Nothing yet", whole_board=True, issued_on=datetime.date(2024, 2, 1))
    client.force_login(member)
    text = flat(pdftotext(log_pdf(client, board)))
    today = timezone.localdate()
    assert f"{action.number} Write to the DCS group all Mar 2024 1 May 2024 Complete" in text
    assert f"{today.day} {today:%b %Y}: Sent" in text and "done in May" in text
    # No due date, no update: a dash for each.
    assert f"{bare.number} Nothing yet all Feb 2024 — Open —" in text


def test_the_header_row_repeats_and_the_running_header_starts_on_page_two(client, member, board):
    make_many(board, 60)
    client.force_login(member)
    pages = [flat(pdftotext_page) for pdftotext_page in pdftotext(log_pdf(client, board)).split("\f") if pdftotext_page]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "No. Action Responsible Date issued Due Status Latest update" in page
        assert f"Page {number} of {len(pages)}" in page
        # The title block once; from page 2 the running header names the board and the log.
        assert page.count("Action log") == 1
        assert page.count(board.name) == 1
        assert ("This action log was updated on" in page) == (number == 1)


def test_a_5000_letter_word_wraps_and_every_letter_is_in_the_pdf(board):
    action_raise(board=board, text="y" * 5000, whole_board=True)
    content = typeset.action_log_pdf(board=board, actions=list(action_log(board)), updated_on=None)
    text = pdftotext(content)
    assert "\u200b" not in text  # the break points leave no character behind
    assert text.count("y") == 5000
    assert max(len(run) for run in re.findall("y+", text)) < 100  # wrapped, line by line
    assert 1 <= len(pypdf.PdfReader(io.BytesIO(content)).pages) <= 5


def test_the_request_and_the_background_print_the_same_rows(
    client, member, board, monkeypatch, django_capture_on_commit_callbacks
):
    make_many(board, 30)
    client.force_login(member)
    in_request = log_pdf(client, board, {"status": "open"})
    monkeypatch.setattr(views, "ACTION_LOG_PDF_MAX_ROWS", 3)
    monkeypatch.setattr(typeset, "PIECE_ROWS", 4)  # and in pieces
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("documents:action-export-pdf", kwargs={"slug": board.slug}), {"status": "open"})
    background = LogExport.objects.get().file.read()

    def rows(content):
        # The table's rows, each from its number to the next: no header, running header or footer.
        text = flat(pdftotext(content))
        for repeated in ("No. Action Responsible Date issued Due Status Latest update", board.name, "Action log"):
            text = text.replace(repeated, " ")
        text = re.sub(r"Issued \d+ \w+ \d{4}|Page \d+ of \d+", " ", text)
        return [row.strip() for row in re.findall(r"\d+ Bulk action \d+.*?(?= \d+ Bulk action|$)", flat(text))]

    assert rows(in_request) == rows(background)
    assert len(rows(in_request)) == 7  # make_many: statuses in turn, open the 4th, 8th … 28th


def test_the_job_is_typeset(board, member, monkeypatch):
    # The background job goes through the same renderer (not a WeasyPrint copy of it).
    calls = []
    real = typst_compile.compile_piece
    monkeypatch.setattr(typst_compile, "compile_piece", lambda job: calls.append(1) or real(job))
    make_many(board, 6)
    export = LogExport.objects.create(board=board, requested_by=member, query="", rows=6)
    assert tasks.render_log_export.call(export.pk) == "done"
    assert calls == [1]
