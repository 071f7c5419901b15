"""What an import writes: changed actions in bulk with their history, and numbers far past the log
only once confirmed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.importing import NUMBER_JUMP, RawRow, plan_rows
from actions.models import Action, ActionUpdate, Responsibility, Status
from actions.services import actions_import
from meetings.models import Membership, Person, Role

from .import_files import csv_bytes


@pytest.fixture
def people(board):
    found = {}
    for initials in ("MH", "RE", "LH", "KY"):
        found[initials] = Person.objects.create(initials=initials)
        Membership.objects.create(board=board, person=found[initials], role=Role.MEMBER)
    return found


def rows_of(values) -> list[RawRow]:
    return [RawRow(f"row {i}", *(str(v) for v in row)) for i, row in enumerate(values, start=2)]


def first_rows(n: int):
    return [[k, f"Action {k}: send the figures", "MH/RE", "Feb 2024", "Open"] for k in range(1, n + 1)]


def changed_rows(n: int):
    """Every row changed every way: text, people (RE dropped, LH added, MH moved), date, status."""
    return [
        [k, f"Action {k}: send the figures by March", "LH/MH", "Mar 2024", "Closed (sent)"] for k in range(1, n + 1)
    ]


def test_reimporting_changed_rows_costs_the_same_queries_for_few_and_many(
    board, other_board, people, django_assert_num_queries
):
    for person in people.values():
        Membership.objects.create(board=other_board, person=person, role=Role.MEMBER)
    actions_import(board=board, rows=rows_of(first_rows(3)), create_people=False)
    with CaptureQueriesContext(connection) as few:
        assert actions_import(board=board, rows=rows_of(changed_rows(3)), create_people=False).updated == 3
    actions_import(board=other_board, rows=rows_of(first_rows(120)), create_people=False)
    with django_assert_num_queries(len(few.captured_queries)):
        assert actions_import(board=other_board, rows=rows_of(changed_rows(120)), create_people=False).updated == 120


def test_reimporting_changed_rows_writes_one_history_row_per_changed_object(board, people):
    actions_import(board=board, rows=rows_of(first_rows(40)), create_people=False)
    marks = {model: model.history.aggregate(m=Max("history_id"))["m"] for model in (Action, Responsibility)}
    rows = changed_rows(40)
    rows[0][4] = "Open"  # row 1: no status change
    result = actions_import(board=board, rows=rows_of(rows), create_people=False, source="log.csv")
    assert result.updated == 40

    def new_history(model):
        return model.history.filter(history_id__gt=marks[model])

    # Each action once; each changed responsibility once: RE's deleted, LH's created, MH's moved.
    assert new_history(Action).count() == 40
    assert (
        sorted(new_history(Responsibility).values_list("history_type", flat=True))
        == ["+"] * 40 + ["-"] * 40 + ["~"] * 40
    )
    assert set(new_history(Responsibility).values_list("history_change_reason", flat=True)) == {
        "Imported from log.csv."
    }
    # A status change is an update with its status before and after; row 1 changed none.
    updates = ActionUpdate.objects.all()
    assert updates.count() == 39 and ActionUpdate.history.count() == 39
    assert {(u.status_before, u.status_after, u.note) for u in updates} == {
        (Status.OPEN, Status.CLOSED, "Imported from log.csv.")
    }
    a2 = Action.objects.with_people().get(board=board, number=2)
    assert (a2.text, a2.status, a2.status_note, a2.version, a2.issued_on.month) == (
        "Action 2: send the figures by March",
        Status.CLOSED,
        "sent",
        2,
        3,
    )
    assert [(r.person.initials, r.position) for r in a2.responsibility_list] == [("LH", 0), ("MH", 1)]
    a1 = Action.objects.get(board=board, number=1)
    assert (a1.status, a1.updates.count(), a1.text) == (Status.OPEN, 0, "Action 1: send the figures by March")
    # The same changed rows again: nothing to write.
    again = actions_import(board=board, rows=rows_of(rows), create_people=False)
    assert (again.updated, again.unchanged) == (0, 40)


# --------------------------------------------------------------------------- numbers far past the log


def plan_numbers(numbers, *, existing=(), next_number=1):
    class FakeAction:
        def __init__(self, number):
            self.number, self.text, self.removed_at = number, f"Old action {number}", None

    rows = rows_of([[n, f"New action {n}", "all", "Feb 2024", "Open"] for n in numbers])
    return plan_rows(rows, people=[], actions=[FakeAction(n) for n in existing], next_number=next_number)


def test_a_number_far_past_the_log_is_a_jump():
    preview = plan_numbers([77, 78, 99999999], existing=range(59, 77), next_number=77)
    jump = preview.number_jump
    assert (jump.before, jump.number, jump.next_number) == (78, 99999999, 100000000)
    assert "jump from 78 to 99,999,999" in jump.message and "100,000,000" in jump.message


@pytest.mark.parametrize(
    "numbers, existing, next_number, jumps",
    [
        (range(1, 3001), (), 1, False),  # an old log of 3,000 actions into an empty board
        ([76 + NUMBER_JUMP], range(59, 77), 77, False),
        ([77 + NUMBER_JUMP], range(59, 77), 77, True),
        ([5000], (), 4500, False),  # the counter already ran on (actions raised, then removed)
        ([1, 2, 3, 5000, 5001], (), 1, True),
        ([10, 20], range(59, 77), 77, False),  # old numbers filling the log's start
    ],
)
def test_only_a_gap_of_more_than_1000_past_the_log_is_a_jump(numbers, existing, next_number, jumps):
    assert bool(plan_numbers(numbers, existing=existing, next_number=next_number).number_jump) == jumps


def upload(client, board, rows):
    return client.post(
        reverse("actions:action-import", kwargs={"slug": board.slug}),
        {"file": SimpleUploadedFile("log.csv", csv_bytes(rows))},
    )


JUMPY = [
    ["75", "Send the figures", "MH", "Feb 2024", "Open"],
    ["99999999", "Write the leaflet", "RE", "Feb 2024", "Open"],
]


def test_numbers_far_past_the_log_are_imported_only_once_confirmed(client, board, secretary, people):
    client.force_login(secretary)
    response = upload(client, board, JUMPY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-number-jump"' in html
    assert "jump from 75 to 99,999,999" in html
    assert "make the board&#x27;s next action number 100,000,000" in html
    payload = response.context["form"].initial["payload"]
    confirm_url = reverse("actions:action-import-confirm", kwargs={"slug": board.slug})

    refused = client.post(confirm_url, {"payload": payload})
    assert refused.status_code == 400
    assert refused.context["form"].errors["confirm_numbers"] == [
        "The action numbers jump from 75 to 99,999,999: after this import the board's next action number would "
        "be 100,000,000. If a number is a typo, correct the file and import it again. Nothing was imported: "
        "confirm the numbers if they are right."
    ]
    assert 'id="id_confirm_numbers"' in refused.content.decode()
    assert not Action.objects.exists() and not Action.history.exists()
    board.refresh_from_db()
    assert board.next_action_number == 1

    # The refused page carries a fresh payload; ticking the box imports.
    payload = refused.context["form"]["payload"].value()
    done = client.post(confirm_url, {"payload": payload, "confirm_numbers": "on"})
    assert done.status_code == 302
    assert sorted(Action.objects.values_list("number", flat=True)) == [75, 99999999]
    board.refresh_from_db()
    assert board.next_action_number == 100000000


def test_a_preview_without_a_jump_asks_nothing_about_numbers(client, board, secretary, people):
    client.force_login(secretary)
    response = upload(client, board, JUMPY[:1])
    assert "confirm_numbers" not in response.context["form"].fields
    assert 'data-testid="import-number-jump"' not in response.content.decode()


def test_the_command_imports_numbers_far_past_the_log_only_with_confirm_numbers(board, people, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes(JUMPY))
    out = io.StringIO()
    call_command("import_actions", "--board", board.slug, str(path), "--dry-run", stdout=out)
    assert "Warning: The action numbers jump from 75 to 99,999,999" in out.getvalue()
    with pytest.raises(CommandError, match="confirm the numbers"):
        call_command("import_actions", "--board", board.slug, str(path), stdout=io.StringIO())
    assert not Action.objects.exists()
    call_command("import_actions", "--board", board.slug, str(path), "--confirm-numbers", stdout=io.StringIO())
    assert Action.objects.filter(board=board).count() == 2
