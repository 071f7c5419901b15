"""Who is named on a board's actions is kept by the database (actions.NamedPerson, migration 0007),
whatever writes the responsibilities: the people the log's filter and the forms offer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import services
from actions.models import Action, Responsibility
from actions.selectors import people_known_to
from meetings.models import Person


def person(initials: str) -> Person:
    # Not a member and never at a meeting: known to the board only by being named.
    return Person.objects.create(full_name=f"Named {initials}", initials=initials, organisation="Elsewhere")


def known(board) -> set[str]:
    return set(people_known_to(board).values_list("initials", flat=True))


@pytest.mark.django_db(transaction=True)
def test_named_people_follow_every_writer(board, other_board):
    ann, ben, cat = person("AN"), person("BN"), person("CN")
    first = services.action_raise(board=board, text="Share the data pack", responsible=[ann])
    second = services.action_raise(board=board, text="Write to the DfE", responsible=[ann, ben])
    services.action_raise(board=other_board, text="Elsewhere", responsible=[cat])
    assert known(board) == {"AN", "BN"}
    assert known(other_board) == {"CN"}

    # A bulk write (as the import and the review make) goes through the same trigger.
    Responsibility.objects.bulk_create([Responsibility(action=first, person=cat, position=5)])
    assert known(board) == {"AN", "BN", "CN"}

    # Un-named from one action but still on another: still known; from the last one: gone.
    services.responsibility_set(action=first, people=[ben])
    assert known(board) == {"AN", "BN"}
    services.responsibility_set(action=second, people=[ben])
    assert known(board) == {"BN"}

    # A responsibility moved to someone else by an UPDATE (the admin's inline does this).
    Responsibility.objects.filter(action=second, person=ben).update(person=ann)
    assert known(board) == {"AN", "BN"}  # BN is still named on the first action
    Responsibility.objects.filter(action=first, person=ben).update(person=cat)
    assert known(board) == {"AN", "CN"}

    # A removed action keeps its people (it can be restored); a deleted one does not.
    services.action_remove(action=second)
    assert known(board) == {"AN", "CN"}
    Action.objects.filter(pk=second.pk).delete()
    assert known(board) == {"CN"}
    assert known(other_board) == {"CN"}


def test_the_named_people_are_read_without_reading_responsibilities(board):
    services.action_raise(board=board, text="Share the data pack", responsible=[person("AN")])
    with CaptureQueriesContext(connection) as queries:
        assert known(board) == {"AN"}
    assert len(queries) == 1
    assert "actions_responsibility" not in queries[0]["sql"]
