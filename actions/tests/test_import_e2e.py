"""The import in a real browser: upload, preview (checked with axe), confirm."""

import pytest

from actions.models import Action
from adoptboard.tests.axe import assert_accessible

from .import_files import docx_bytes, seed_rows

# The site's navigation bar (base.html) is checked by the shell's own tests; these pages are this file's.
MAIN = {"include": [["main"]]}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_it_imports_a_word_log_in_the_browser(page, live_server, demo_board, tmp_path, screenshot):
    Action.objects.filter(board=demo_board).delete()
    path = tmp_path / "action-log.docx"
    path.write_bytes(docx_bytes(seed_rows()))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "secretary")
    page.fill("input[name=password]", "demo-pass")
    page.click("button[type=submit], input[type=submit]")

    page.goto(f"{live_server.url}/boards/{demo_board.slug}/actions/")
    page.get_by_test_id("import-log").click()
    assert_accessible(page, MAIN)
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_selector("[data-testid=import-preview]")
    assert page.locator("[data-testid=import-preview] tbody tr").count() == 18
    assert_accessible(page, MAIN)
    screenshot(page, "import-preview.png")
    assert Action.objects.filter(board=demo_board).count() == 0

    # LP is named only on action 61: with the log emptied, nobody on the board has those initials.
    page.get_by_label("Create people for the unknown initials LP").check()
    page.get_by_role("button", name="Import these actions").click()
    page.wait_for_url(f"**/boards/{demo_board.slug}/actions/")
    assert "18 created" in page.content()
    assert Action.objects.filter(board=demo_board).count() == 18
