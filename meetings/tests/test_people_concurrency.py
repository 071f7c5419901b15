"""Initials stay unique when editors add people at the same moment: the board's row lock queues them."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from conftest import make_person
from meetings.models import Board, Membership, Role
from meetings.services_people import member_add

WRITERS = 8

# Row locks need PostgreSQL; SQLite serialises every writer anyway (CI runs the suite on both).
pytestmark = pytest.mark.postgresql


@pytest.mark.django_db(transaction=True)
def test_editors_adding_the_same_initials_at_once_get_one_seat_and_clear_refusals():
    board = Board.objects.create(name="Busy board", slug="busy")
    secretary = make_person("busy-sec", "Sally Secretary", "SS", board=board, role=Role.SECRETARY)
    start = threading.Barrier(WRITERS)
    added, refused, errors = [], [], []

    def writer(i: int) -> None:
        try:
            start.wait()
            member_add(board=board, by=secretary, full_name=f"Richard Morris {i}", initials="RM")
            added.append(i)
        except ValidationError as exc:
            refused.append(exc.message_dict["initials"][0])
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
    assert len(added) == 1 and len(refused) == WRITERS - 1
    assert all("RM already stands for Richard Morris" in message for message in refused)
    assert Membership.objects.filter(board=board, person__initials="RM").count() == 1
