"""Race-free numbering: many editors raising actions on one board at the same moment."""

import threading

import pytest
from django.db import connections, transaction

from actions.models import Action
from actions.services import action_raise
from meetings.models import Board

WRITERS = 20

# Row locks need PostgreSQL; SQLite serialises every writer anyway (CI runs the suite on both).
pytestmark = pytest.mark.postgresql


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_it_gives_twenty_concurrent_writers_distinct_contiguous_numbers_despite_rollbacks():
    board = Board.objects.create(name="Busy board", slug="busy", next_action_number=59)
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    kept: list[int] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                action = action_raise(board=board, text=f"action from writer {i}", whole_board=True)
                if i % 4 == 0:
                    raise Rollback  # a writer whose transaction fails after taking a number
            with lock:
                kept.append(action.number)
        except Rollback:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, errors
    rolled_back = len(range(0, WRITERS, 4))
    assert len(kept) == WRITERS - rolled_back
    # Distinct and contiguous: the numbers of rolled-back transactions were given back.
    assert sorted(kept) == list(range(59, 59 + len(kept)))
    assert sorted(Action.objects.filter(board=board).values_list("number", flat=True)) == sorted(kept)
    board.refresh_from_db()
    assert board.next_action_number == 59 + len(kept)
