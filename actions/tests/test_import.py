"""Importing an existing action log: preview first, confirm in one transaction, re-import changes nothing."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.importing import read_file
from actions.models import Action, Responsibility, Status
from actions.services import action_raise, actions_import
from meetings.models import Membership, Person

from .import_files import (
    PNG,
    big_xlsx,
    csv_bytes,
    docx_bytes,
    seed_data,
    seed_rows,
    written_rows,
    xlsx_bytes,
    zip_bomb,
)

BUILDERS = {"docx": docx_bytes, "csv": csv_bytes, "xlsx": xlsx_bytes}


@pytest.fixture
def seed_people(board):
    """Seed 000's people on an empty board: members with their roles; LP, named only on an action, unknown."""
    people = {}
    for p in seed_data()["people"]:
        if p["role"] is None:
            continue
        person = Person.objects.create(initials=p["initials"], full_name=p["full_name"], organisation=p["organisation"])
        Membership.objects.create(board=board, person=person, role=p["role"])
        people[p["initials"]] = person
    return people


def import_url(board):
    return reverse("actions:action-import", kwargs={"slug": board.slug})


def confirm_url(board):
    return reverse("actions:action-import-confirm", kwargs={"slug": board.slug})


def upload(client, board, name, data):
    return client.post(import_url(board), {"file": SimpleUploadedFile(name, data)})


def month_of(written: str) -> tuple[int, int]:
    month, year = written.split()
    return int(year), datetime.datetime.strptime(month[:3], "%b").month


def assert_board_holds_the_seed_log(board):
    actions = {a.number: a for a in Action.objects.filter(board=board).with_people()}
    expected = seed_data()["action_log"]["actions"]
    assert sorted(actions) == list(range(59, 77))
    for a in expected:
        action = actions[a["number"]]
        assert action.text == a["text"]
        assert [p.initials for p in action.people] == a["responsible"], a["number"]
        assert action.whole_board == a["whole_board"]
        assert (action.issued_on.year, action.issued_on.month) == month_of(a["issued_as_written"])
        assert action.status == a["status"]
        assert action.status_note == a["status_note"]
    board.refresh_from_db()
    assert board.next_action_number == 77


history_counts = written_rows


# --------------------------------------------------------------------------- the web flow


@pytest.mark.parametrize("kind", ["docx", "csv", "xlsx"])
def test_it_imports_the_seed_log_through_preview_and_confirm(client, board, secretary, seed_people, kind):
    client.force_login(secretary)
    response = upload(client, board, f"action-log.{kind}", BUILDERS[kind](seed_rows()))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.created == 18 and preview.updated == 0 and preview.unchanged == 0
    assert preview.unknown_initials == ["LP"]
    # The preview writes nothing.
    assert not Action.objects.exists()
    assert not Person.objects.filter(initials="LP").exists()
    assert b"Unknown initials: LP" in response.content

    payload = response.context["form"].initial["payload"]
    response = client.post(confirm_url(board), {"payload": payload, "create_people": "on"})
    assert response.status_code == 302
    assert response.url == reverse("actions:action-list", kwargs={"slug": board.slug})
    assert_board_holds_the_seed_log(board)
    lp = Person.objects.get(initials="LP")
    assert [p.initials for p in Action.objects.with_people().get(board=board, number=61).people] == ["RE", "LP"]
    assert lp.memberships.count() == 0
    page = client.get(response.url)
    assert "18 created, 0 updated, 0 unchanged, 0 skipped" in page.content.decode()


def test_it_skips_rows_with_unknown_initials_unless_asked_to_create_people(client, board, secretary, seed_people):
    client.force_login(secretary)
    response = upload(client, board, "log.csv", csv_bytes(seed_rows()))
    payload = response.context["form"].initial["payload"]
    response = client.post(confirm_url(board), {"payload": payload})
    assert response.status_code == 302
    assert Action.objects.filter(board=board).count() == 17
    assert not Action.objects.filter(number=61).exists()
    assert not Person.objects.filter(initials="LP").exists()


BAD_ROWS = [
    ["90", "Good row one", "MH", "Feb 2024", "Open"],
    ["91", "Names someone new", "MH/ZZ", "Feb 2024", "Open"],
    ["92", "Date nobody can read", "RE", "sometime soon", "Open"],
    ["93", "Status nobody can read", "RE", "Feb 2024", "maybe later"],
    ["5", "Clashes with a different action", "RE", "Feb 2024", "Open"],
    ["94", "Names nobody", "", "Feb 2024", "Open"],
    ["abc", "Number is not a number", "RE", "Feb 2024", "Open"],
    ["95", "", "RE", "Feb 2024", "Open"],
    ["96", "Good row two", "all", "17/04/2024", "Closed (done at the April meeting)"],
]


def test_a_file_with_bad_rows_writes_nothing_until_confirmed_and_reports_every_bad_row(
    client, board, secretary, seed_people
):
    existing = action_raise(board=board, number=5, text="Write to the DCS group about Bucks", whole_board=True)
    before = history_counts()
    client.force_login(secretary)
    response = upload(client, board, "log.csv", csv_bytes(BAD_ROWS))
    assert response.status_code == 200
    assert history_counts() == before
    rows = {r.raw.number: r for r in response.context["preview"].rows}
    codes = {number: [p.code for p in row.problems] for number, row in rows.items()}
    assert codes == {
        "90": [],
        "91": ["unknown_initials"],
        "92": ["bad_date"],
        "93": ["bad_status"],
        "5": ["number_clash"],
        "94": ["no_responsible"],
        "abc": ["bad_number"],
        "95": ["no_text"],
        "96": [],
    }
    html = response.content.decode()
    for message in [
        "Unknown initials: ZZ",
        "sometime soon",
        "maybe later",
        "already a different action",
        "Nobody is named",
        "“abc” is not an action number",
        "The action has no text",
    ]:
        assert message in html
    assert "7 rows with problems" in html

    payload = response.context["form"].initial["payload"]
    response = client.post(confirm_url(board), {"payload": payload})
    assert response.status_code == 302
    assert sorted(Action.objects.filter(board=board).values_list("number", flat=True)) == [5, 90, 96]
    existing.refresh_from_db()
    assert existing.text == "Write to the DCS group about Bucks"
    last = Action.objects.get(board=board, number=96)
    assert (last.status, last.status_note, last.issued_on, last.whole_board) == (
        Status.CLOSED,
        "done at the April meeting",
        datetime.date(2024, 4, 17),
        True,
    )
    message = client.get(response.url).content.decode()
    assert "2 created, 0 updated, 0 unchanged, 7 skipped" in message


def test_reimporting_the_same_file_changes_nothing(client, board, secretary, seed_people):
    data = docx_bytes(seed_rows())
    client.force_login(secretary)
    payload = upload(client, board, "log.docx", data).context["form"].initial["payload"]
    client.post(confirm_url(board), {"payload": payload, "create_people": "on"})
    before = history_counts()
    board.refresh_from_db()
    counter = board.next_action_number
    versions = dict(Action.objects.values_list("number", "version"))

    response = upload(client, board, "log.docx", data)
    preview = response.context["preview"]
    assert (preview.created, preview.updated, preview.unchanged, preview.bad_rows) == (0, 0, 18, [])
    response = client.post(confirm_url(board), {"payload": response.context["form"].initial["payload"]})
    assert response.status_code == 302
    assert history_counts() == before
    board.refresh_from_db()
    assert board.next_action_number == counter
    assert dict(Action.objects.values_list("number", "version")) == versions


def test_importing_the_seed_into_the_demo_board_finds_every_action_unchanged(demo_board):
    parsed = read_file("log.docx", docx_bytes(seed_rows()))
    before = history_counts()
    result = actions_import(board=demo_board, rows=parsed.rows, create_people=False)
    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 18, 0)
    assert history_counts() == before


def test_changed_rows_are_updated_with_their_history(board, seed_people):
    rows = seed_rows()
    actions_import(board=board, rows=read_file("a.csv", csv_bytes(rows)).rows, create_people=True)
    changed = [list(r) for r in rows]
    changed[2][4] = "Closed (handed to the DCS group)"  # 74: complete -> closed with a note
    changed[3][2] = "KY/RE"  # 73: another person
    changed[4][1] = changed[4][1] + " Follow up in Oct."  # 72: text touched up
    result = actions_import(board=board, rows=read_file("a.csv", csv_bytes(changed)).rows, create_people=True)
    assert (result.created, result.updated, result.unchanged) == (0, 3, 15)
    a74 = Action.objects.get(board=board, number=74)
    assert (a74.status, a74.status_note, a74.version) == (Status.CLOSED, "handed to the DCS group", 2)
    update = a74.updates.get()
    assert (update.status_before, update.status_after) == (Status.COMPLETE, Status.CLOSED)
    assert [p.initials for p in Action.objects.with_people().get(board=board, number=73).people] == ["KY", "RE"]
    assert Action.objects.get(board=board, number=72).text.endswith("Follow up in Oct.")


def test_a_row_that_changes_status_and_text_is_one_save_and_one_update(board, seed_people):
    rows = seed_rows()
    actions_import(board=board, rows=read_file("a.csv", csv_bytes(rows)).rows, create_people=True)
    a73 = Action.objects.get(board=board, number=73)
    history_before = a73.history.count()
    changed = [list(r) for r in rows]
    changed[3][1] += " Report back in July."
    changed[3][4] = "Closed"
    result = actions_import(board=board, rows=read_file("a.csv", csv_bytes(changed)).rows, create_people=True)
    assert result.updated == 1
    a73.refresh_from_db()
    assert a73.text.endswith("Report back in July.") and a73.status == Status.CLOSED
    assert a73.version == 2 and a73.history.count() == history_before + 1 and a73.updates.count() == 1


def test_it_creates_no_one_for_a_row_it_skips(board, seed_people):
    rows = [["90", "Send the figures", "ZZ", "not a date", "Open"]]
    for _ in range(2):
        result = actions_import(board=board, rows=read_file("a.csv", csv_bytes(rows)).rows, create_people=True)
        assert (result.created, result.skipped, result.people_created) == (0, 1, [])
    assert not Person.objects.filter(initials="ZZ").exists()


def test_a_log_without_numbers_is_numbered_on_from_the_board_counter_oldest_first(board, seed_people):
    board.next_action_number = 59
    board.save()
    rows = [r[1:] for r in seed_rows()]
    data = docx_bytes(rows, header=("Action", "Lead", "Raised", "Status"))
    result = actions_import(board=board, rows=read_file("log.docx", data).rows, create_people=True)
    assert result.created == 18
    oldest = Action.objects.filter(board=board).order_by("number").first()
    assert oldest.number == 59 and oldest.issued_on == datetime.date(2022, 4, 1)
    # Matched by their text, the same rows again change nothing.
    again = actions_import(board=board, rows=read_file("log.docx", data).rows, create_people=True)
    assert (again.created, again.unchanged) == (0, 18)


def test_confirm_refuses_when_the_log_changed_since_the_preview(client, board, secretary, seed_people):
    client.force_login(secretary)
    response = upload(client, board, "log.csv", csv_bytes(seed_rows()))
    payload = response.context["form"].initial["payload"]
    action_raise(board=board, number=76, text="Someone else's action 76", whole_board=True)
    response = client.post(confirm_url(board), {"payload": payload, "create_people": "on"})
    assert response.status_code == 409
    assert "changed since this preview" in response.content.decode()
    assert Action.objects.filter(board=board).count() == 1
    assert [p.code for p in response.context["preview"].rows[0].problems] == ["number_clash"]


def test_confirm_refuses_a_tampered_payload(client, board, secretary, seed_people):
    client.force_login(secretary)
    payload = upload(client, board, "log.csv", csv_bytes(seed_rows())).context["form"].initial["payload"]
    response = client.post(confirm_url(board), {"payload": payload[:-3] + "abc", "create_people": "on"})
    assert response.status_code == 400
    assert "upload the file again" in response.content.decode()
    assert not Action.objects.exists()


def test_a_payload_is_only_good_for_the_board_it_was_made_for(client, board, other_board, secretary, seed_people):
    from meetings.models import Role

    Membership.objects.create(board=other_board, person=Person.objects.get(user=secretary), role=Role.SECRETARY)
    client.force_login(secretary)
    payload = upload(client, board, "log.csv", csv_bytes(seed_rows())).context["form"].initial["payload"]
    response = client.post(confirm_url(other_board), {"payload": payload})
    assert response.status_code == 400
    assert not Action.objects.exists()


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("log.xlsx", PNG, "not a real Excel (.xlsx) file"),
        ("log.docx", PNG, "not a real Word (.docx) file"),
        ("log.csv", bytes(range(256)) * 10, "not a CSV text file"),
        ("log.xlsx", zip_bomb(megabytes=60), "zip bomb"),
        ("log.pdf", b"%PDF-1.4 nothing", "Upload a .csv, .xlsx"),
        ("log.csv", b"Dear all,\nthe minutes are attached.\n", "No action log found"),
    ],
)
def test_it_refuses_files_with_a_clear_message(client, board, secretary, name, data, message):
    client.force_login(secretary)
    response = upload(client, board, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors["file"]
    assert not Action.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_it_refuses_100000_rows_with_a_message(client, board, secretary, kind):
    if kind == "csv":
        data = csv_bytes([[str(i), f"Action {i}", "MH", "Feb 2024", "Open"] for i in range(1, 100_001)])
    else:
        data = big_xlsx(100_000)
    client.force_login(secretary)
    response = upload(client, board, f"big.{kind}", data)
    assert response.status_code == 400
    assert "more than 5,000 rows" in response.content.decode()


def test_it_refuses_an_upload_over_5_mb_without_keeping_it(client, board, secretary):
    client.force_login(secretary)
    data = b"No.,Action,Responsible,Date issued,Status\n" + b"1,x,MH,Feb 2024,Open\n" * 300_000
    assert len(data) > 5 * 1024 * 1024
    response = upload(client, board, "huge.csv", data)
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_the_upload_page_shows_the_form(client, board, secretary):
    client.force_login(secretary)
    response = client.get(import_url(board))
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_an_empty_upload_is_a_form_error(client, board, secretary):
    client.force_login(secretary)
    response = client.post(import_url(board), {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


# --------------------------------------------------------------------------- who may


def test_a_member_may_not_import(client, board, member):
    client.force_login(member)
    assert client.get(import_url(board)).status_code == 403
    assert upload(client, board, "log.csv", csv_bytes(seed_rows())).status_code == 403
    assert client.post(confirm_url(board), {"payload": "x"}).status_code == 403


def test_an_outsider_gets_404(client, board, outsider):
    client.force_login(outsider)
    assert client.get(import_url(board)).status_code == 404
    assert upload(client, board, "log.csv", csv_bytes(seed_rows())).status_code == 404
    assert client.post(confirm_url(board), {"payload": "x"}).status_code == 404


def test_confirm_is_post_only(client, board, secretary):
    client.force_login(secretary)
    response = client.get(confirm_url(board))  # a reload of the preview's answer: back to the upload
    assert response.status_code == 302 and response["Location"] == f"/boards/{board.slug}/actions/import/"


def test_a_visitor_must_log_in(client, board):
    response = client.get(import_url(board))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_staff_may_import(client, board, staff, seed_people):
    client.force_login(staff)
    assert upload(client, board, "log.csv", csv_bytes(seed_rows())).status_code == 200


def test_the_preview_costs_the_same_queries_for_few_and_many_rows(client, board, secretary, seed_people):
    client.force_login(secretary)

    def queries_for(rows):
        with CaptureQueriesContext(connection) as ctx:
            assert upload(client, board, "log.csv", csv_bytes(rows)).status_code == 200
        return len(ctx.captured_queries)

    many = [[str(n), f"Action {n}", "RE/MH", "Feb 2024", "Open"] for n in range(100, 400)]
    assert queries_for(seed_rows()[:3]) == queries_for(many)


# --------------------------------------------------------------------------- the command line


def test_the_command_dry_run_prints_the_preview_and_writes_nothing(board, seed_people, tmp_path):
    path = tmp_path / "log.docx"
    path.write_bytes(docx_bytes(seed_rows()))
    before = history_counts()
    out = io.StringIO()
    call_command("import_actions", "--board", board.slug, str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert history_counts() == before
    assert "18 to create, 0 to update, 0 unchanged, 1 with problems." in text
    assert "Unknown initials: LP" in text
    assert re.search(r"table 2, row 2 +76 +Group to build", text)
    assert "Closed (move to kinship care group)" in text
    assert "Dry run: nothing was written." in text


def test_the_command_imports(board, seed_people, tmp_path):
    path = tmp_path / "log.xlsx"
    path.write_bytes(xlsx_bytes(seed_rows()))
    out = io.StringIO()
    call_command("import_actions", "--board", board.slug, str(path), "--create-people", stdout=out)
    assert "18 created, 0 updated, 0 unchanged, 0 skipped. New people: LP" in out.getvalue()
    assert_board_holds_the_seed_log(board)


def test_the_command_refuses_a_bad_file(board, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "log.xlsx"
    path.write_bytes(PNG)
    with pytest.raises(CommandError, match="not a real Excel"):
        call_command("import_actions", "--board", board.slug, str(path))
    with pytest.raises(CommandError, match="No board"):
        call_command("import_actions", "--board", "nope", str(path))


def test_imported_actions_have_their_history_and_the_counter_never_goes_down(board, seed_people):
    board.next_action_number = 120
    board.save()
    rows = seed_rows() + [["", "A row without a number", "MH", "Mar 2024", "Open"]]
    result = actions_import(
        board=board, rows=read_file("log.csv", csv_bytes(rows)).rows, create_people=True, source="log.csv"
    )
    assert result.created == 19
    # Rows without a number carry on from the counter; the counter moves past them, not back.
    assert Action.objects.get(board=board, text="A row without a number").number == 120
    board.refresh_from_db()
    assert board.next_action_number == 121
    assert set(Action.history.values_list("history_change_reason", flat=True)) == {"Imported from log.csv."}
    assert Action.history.count() == 19
    assert Responsibility.history.count() == Responsibility.objects.count() == 22
    assert action_raise(board=board, text="Next one", whole_board=True).number == 121


def test_the_upload_still_needs_the_csrf_token(board, secretary):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary)
    response = upload(client, board, "log.csv", csv_bytes(seed_rows()))
    assert response.status_code == 403
    page = client.get(import_url(board))
    token = page.cookies["csrftoken"].value
    response = client.post(
        import_url(board), {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("log.csv", csv_bytes(seed_rows()))}
    )
    assert response.status_code == 200


def test_a_long_preview_lists_every_bad_row_and_counts_the_rest(client, board, secretary, seed_people):
    rows = [[str(n), f"Action {n}", "MH", "Feb 2024", "Open"] for n in range(1, 301)]
    rows[250][3] = "whenever"
    client.force_login(secretary)
    response = upload(client, board, "log.csv", csv_bytes(rows))
    assert response.status_code == 200
    shown = response.context["shown_rows"]
    assert len(shown) == 201
    assert shown[-1].raw.number == "251"
    assert "And 99 more rows without problems, not listed here: 99 to create, 0 to update, 0 unchanged." in (
        response.content.decode()
    )
