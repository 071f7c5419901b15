"""Editors restoring the same removed record at the same moment: one puts it back, the others are told."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from actions.models import Action
from actions.services import action_raise, action_remove, action_restore
from conftest import make_person
from meetings.models import AgendaItem, Board, Meeting, Role
from meetings.services import item_add, item_remove, item_restore

WRITERS = 8

pytestmark = pytest.mark.postgresql


def race(restore) -> tuple[list, list, list]:
    start = threading.Barrier(WRITERS)
    restored, refused, errors = [], [], []

    def writer() -> None:
        try:
            start.wait()
            restore()
            restored.append(1)
        except ValidationError as exc:
            refused.append(exc.code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return restored, refused, errors


@pytest.mark.django_db(transaction=True)
def test_eight_editors_restoring_one_action_and_one_item_at_once_restore_each_once():
    board = Board.objects.create(name="Busy board", slug="busy")
    secretary = make_person("busy-sec", "Sally Secretary", "SS", board=board, role=Role.SECRETARY)
    meeting = Meeting.objects.create(board=board, date="2030-01-10", start_time="10:00", end_time="12:00")
    items = [item_add(meeting=meeting, title=f"Item {n}") for n in range(1, 5)]
    item_remove(item=items[1])
    action = action_raise(board=board, text="Write to the DfE", whole_board=True)
    action_remove(action=action, by=secretary)

    restored, refused, errors = race(lambda: action_restore(action=Action.objects.get(pk=action.pk), by=secretary))
    assert not errors, errors
    assert len(restored) == 1 and refused == ["not_removed"] * (WRITERS - 1)
    assert action.history.filter(history_change_reason="Restored").count() == 1

    restored, refused, errors = race(lambda: item_restore(item=AgendaItem.objects.get(pk=items[1].pk)))
    assert not errors, errors
    assert len(restored) == 1 and refused == ["not_removed"] * (WRITERS - 1)
    assert [(i.title, i.position) for i in meeting.items.live().order_by("position")] == [
        ("Item 1", 1),
        ("Item 2", 2),
        ("Item 3", 3),
        ("Item 4", 4),
    ]
    assert items[1].history.filter(history_change_reason="Restored").count() == 1
