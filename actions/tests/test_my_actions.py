import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Status
from actions.tests.test_action_log import make_action, make_many, person_of
from meetings.models import Board, Membership, Role

MY_ACTIONS = reverse("actions:my-actions")


def listed(response):
    return [(a.board.slug, a.number) for a in response.context["actions"]]


def nav_count(response) -> int:
    html = response.content.decode()
    start = html.index('data-testid="my-actions-count">') + len('data-testid="my-actions-count">')
    return int(html[start : html.index("<", start)])


def test_it_lists_open_actions_named_or_as_all_across_boards_grouped_by_board(
    client, board, other_board, member, chair
):
    mary = person_of(member)
    Membership.objects.create(board=other_board, person=mary, role=Role.MEMBER)
    make_action(board, 1, people=[mary])
    make_action(board, 2, whole_board=True, status=Status.IN_PROGRESS)
    make_action(board, 3, people=[person_of(chair)])  # someone else's
    make_action(board, 4, people=[mary], status=Status.COMPLETE)  # done
    make_action(board, 5, people=[mary], status=Status.CLOSED)
    removed = make_action(board, 6, people=[mary])
    Action.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    make_action(other_board, 1, people=[mary])
    make_action(other_board, 2, whole_board=True)
    client.force_login(member)
    response = client.get(MY_ACTIONS)
    assert response.status_code == 200
    assert listed(response) == [("other-board", 2), ("other-board", 1), ("test-alb", 2), ("test-alb", 1)]
    html = response.content.decode()
    assert html.index("Other Board</a></h2>") < html.index("Test Region Adoption Leadership Board</a></h2>")
    assert nav_count(response) == 4


def test_it_leaves_out_boards_the_person_has_left(client, board, other_board, member):
    mary = person_of(member)
    Membership.objects.create(board=other_board, person=mary, role=Role.MEMBER, until=datetime.date(2020, 1, 1))
    make_action(board, 1, people=[mary])
    make_action(other_board, 7, people=[mary])  # named, but the board is no longer hers to see
    make_action(other_board, 8, whole_board=True)
    client.force_login(member)
    response = client.get(MY_ACTIONS)
    assert listed(response) == [("test-alb", 1)]
    assert nav_count(response) == 1


def test_an_outsider_sees_none_of_another_boards_actions(client, board, outsider, member):
    make_action(board, 1, whole_board=True)
    make_action(board, 2, people=[person_of(member)])
    client.force_login(outsider)
    response = client.get(MY_ACTIONS)
    assert listed(response) == [] and "You have no open actions." in response.content.decode()
    assert nav_count(response) == 0


def test_a_user_who_is_no_person_sees_an_empty_list(client, staff, board):
    make_action(board, 1, whole_board=True)
    client.force_login(staff)
    response = client.get(MY_ACTIONS)
    assert response.status_code == 200 and listed(response) == [] and nav_count(response) == 0


def test_the_nav_count_is_one_query_and_the_page_does_not_grow_with_actions(client, board, member):
    mary = person_of(member)
    for slug in ("b1", "b2"):
        extra = Board.objects.create(name=f"Board {slug}", slug=slug)
        Membership.objects.create(board=extra, person=mary)
        make_many(extra, 5, person=mary)
    make_many(board, 10, person=mary)
    client.force_login(member)
    client.get(MY_ACTIONS)
    with CaptureQueriesContext(connection) as few:
        client.get(MY_ACTIONS)
    make_many(board, 990, start=11, person=mary)
    with CaptureQueriesContext(connection) as many:
        response = client.get(MY_ACTIONS)
    assert len(many) == len(few)
    assert nav_count(response) == len(response.context["actions"]) == 500 + 3 + 3
    counts = [q["sql"] for q in many if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "SELECT COUNT(DISTINCT" not in counts[0].upper()
