"""In a real browser: a log past the cap becomes a job whose page offers the PDF; a page left open
on a job still in hand shows the link by itself once the job is done (htmx polling). Checked with axe."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from adoptboard.tests.axe import assert_accessible
from documents import tasks, views
from documents.models import LogExport


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_long_log_pdf_is_prepared_and_offered(page, live_server, demo_board, monkeypatch):
    monkeypatch.setattr(views, "ACTION_LOG_PDF_MAX_ROWS", 5)  # the demo's 18 actions are "long"
    base = live_server.url
    page.set_default_timeout(15_000)
    log_in(page, base, "member")

    # A job still in hand (as a busy worker would leave it): the page says so and keeps asking.
    member = get_user_model().objects.get(username="member")
    waiting = LogExport.objects.create(board=demo_board, requested_by=member, query="status=closed", rows=9)
    page.goto(f"{base}{waiting.get_absolute_url()}")
    expect(page.get_by_test_id("export-status")).to_contain_text("being prepared")
    assert_accessible(page)
    tasks.render_log_export.call(waiting.pk)
    expect(page.get_by_test_id("export-download")).to_be_visible()

    # The log's PDF button: the job runs (immediate backend) and its page offers the file.
    page.goto(f"{base}/boards/{demo_board.slug}/actions/")
    page.get_by_test_id("export-pdf").click()
    expect(page.get_by_test_id("export-status")).to_contain_text("Your PDF of 18 actions is ready")
    assert_accessible(page)
    href = page.get_by_test_id("export-download").get_attribute("href")
    response = page.request.get(f"{base}{href}")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
