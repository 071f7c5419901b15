import datetime

import pytest
from django.db import IntegrityError, transaction

from actions.models import Action
from actions.services import action_raise
from meetings.models import Board


def raise_one(board, text="Do the thing"):
    return action_raise(board=board, text=text, whole_board=True, issued_on=datetime.date(2024, 2, 23))


def test_it_refuses_a_duplicate_number_on_a_board(board):
    Action.objects.create(board=board, number=5, text="a", issued_on=datetime.date(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(board=board, number=5, text="b", issued_on=datetime.date(2024, 1, 1))


def test_it_allows_the_same_number_on_another_board(board, other_board):
    Action.objects.create(board=board, number=5, text="a", issued_on=datetime.date(2024, 1, 1))
    Action.objects.create(board=other_board, number=5, text="b", issued_on=datetime.date(2024, 1, 1))
    assert Action.objects.filter(number=5).count() == 2


def test_it_numbers_on_from_the_highest(board):
    assert [raise_one(board).number for _ in range(3)] == [1, 2, 3]


def test_it_never_reuses_a_number_after_a_delete(board):
    raise_one(board)
    last = raise_one(board)
    last.delete()
    assert raise_one(board).number == 3


def test_a_board_from_paper_sets_where_numbering_starts(db):
    board = Board.objects.create(name="Paper board", slug="paper", next_action_number=59)
    assert raise_one(board).number == 59
    assert raise_one(board).number == 60


def test_numbers_set_by_hand_are_never_clashed_with(board):
    action_raise(board=board, text="imported", whole_board=True, number=76)
    assert raise_one(board).number == 77


def test_a_number_set_by_hand_below_the_counter_takes_no_number_from_it(db):
    board = Board.objects.create(name="Paper board", slug="paper", next_action_number=10)
    action_raise(board=board, text="an old one, brought in", whole_board=True, number=5)
    assert raise_one(board).number == 10


def test_it_refuses_an_action_nobody_is_responsible_for(board):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        action_raise(board=board, text="orphan")
    assert not Action.objects.exists()
    board.refresh_from_db()
    assert board.next_action_number == 1
