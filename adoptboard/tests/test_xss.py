"""Text is always inert: XSS payloads saved in every text field of every record, then every page
and document that shows them is read back."""

import csv
import html
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from actions.models import Action
from actions.services import action_progress_add
from meetings.models import Meeting

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert("xss-2")>',
    "<svg/onload=alert('xss-3')>",
    "'><iframe src=javascript:alert('xss-4')>",
    "<a href=\"javascript:alert('xss-5')\">click</a>",
    "<body onload=alert('xss-6')>",
    "</textarea><script>alert('xss-7')</script>",
    "<style>@import 'http://evil.example/xss-8.css';</style>",
    "{{ 7|add:'xss-9' }}{% now 'Y' %}",
    '=HYPERLINK("http://evil.example/xss-10","click")',
    "+cmd|' /C calc'!A0 xss-11",
    "@SUM(1+1)*cmd|' /C calc'!A0 xss-12",
    "-2+3+cmd|' /C calc'!A0 xss-13",
]
SKIP_FIELDS = {"slug", "initials", "email", "online_link", "default_online_link", "file", "status", "role", "purpose"}


def text_fields(model):
    for f in model._meta.concrete_fields:
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.name not in SKIP_FIELDS:
            yield f


@pytest.fixture
def poisoned(demo_board):
    """Every text field of every row of the app's models holds a payload; each payload is used."""
    secretary = get_user_model().objects.get(username="secretary")
    action = Action.objects.get(board=demo_board, number=73)
    action_progress_add(
        action=action, expected_version=action.version, status="in_progress", note="placeholder", by=secretary
    )
    used = set()
    i = 0
    for app in ("meetings", "actions"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in text_fields(model):
                for obj in model.objects.all():
                    payload = PAYLOADS[i % len(PAYLOADS)]
                    i += 1
                    used.add(payload)
                    model.objects.filter(pk=obj.pk).update(**{field.name: payload[: field.max_length or None]})
    assert used == set(PAYLOADS)
    return demo_board


def html_pages(board):
    feb = Meeting.objects.get(board=board, date="2024-02-23")
    action = Action.objects.get(board=board, number=73)
    base = f"/boards/{board.slug}"
    return [
        "/",
        "/my/actions/",
        f"{base}/",
        f"{base}/meetings/{feb.pk}/",
        f"{base}/meetings/{feb.pk}/agenda/",
        f"{base}/meetings/{feb.pk}/review/",
        f"{base}/meetings/{feb.pk}/items/{feb.items.first().pk}/edit/",
        f"{base}/forward-plan/",
        f"{base}/actions/",
        f"{base}/actions/?q=xss",
        f"{base}/actions/73/",
        f"{base}/actions/73/edit/",
        f"{base}/history/action/{action.pk}/",
    ]


def test_payloads_are_escaped_in_every_page(client, poisoned):
    client.force_login(get_user_model().objects.get(username="secretary"))
    seen = set()
    for path in html_pages(poisoned):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for payload in PAYLOADS:
            if "<" in payload:
                assert payload not in page, f"{path} shows {payload!r} unescaped"
            if html.escape(payload) in page or html.escape(payload, quote=False) in page:
                seen.add(payload)
        # Template syntax in data is shown, never evaluated.
        assert "xss-9" not in page or "{{ 7|add:" in page or "{{ 7|add:&#x27;" in page
    # The test is only worth something if the payloads reached the pages.
    # Every payload reached a page, shown as text: the template-syntax one among them, so it
    # was printed, not run (run, it would print "2026" and leave no "xss-9" behind).
    assert seen == set(PAYLOADS), set(PAYLOADS) - seen


def test_payloads_are_plain_text_in_pdfs_and_word(client, poisoned):
    from docx import Document
    from pypdf import PdfReader

    client.force_login(get_user_model().objects.get(username="secretary"))
    feb = Meeting.objects.get(board=poisoned, date="2024-02-23")
    base = f"/boards/{poisoned.slug}"
    for path in (
        f"{base}/meetings/{feb.pk}/agenda.pdf",
        f"{base}/meetings/{feb.pk}/minutes.pdf",
        f"{base}/actions/export.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        # The markup is printed as text: the payload's angle brackets are there to read.
        assert "<script>alert(" in text.replace("\n", "") or "<svg/onload" in text.replace("\n", ""), path
    doc = Document(io.BytesIO(client.get(f"{base}/meetings/{feb.pk}/minutes.docx").content))
    body = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert any(p in body for p in PAYLOADS if "<" in p)


def test_exports_neutralise_formulas(client, poisoned):
    client.force_login(get_user_model().objects.get(username="secretary"))
    base = f"/boards/{poisoned.slug}"
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/actions/export.csv").getvalue().decode("utf-8-sig"))))
    cells = [c for r in rows[1:] for c in r]
    assert cells, "the export has rows"
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], "a cell starts with a formula character"
    assert any(c.startswith("'=HYPERLINK") for c in cells)

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get(f"{base}/actions/export.xlsx").getvalue()))
    values = [c.value for row in wb.active.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")]
    assert all(c.data_type != "f" for row in wb.active.iter_rows() for c in row)
