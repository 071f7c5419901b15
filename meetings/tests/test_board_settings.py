"""The board's settings page: details, standing items, email settings and the next action number."""

import datetime

import pytest
from django.urls import reverse

from actions.models import Action
from actions.services import action_raise
from meetings.models import STANDING_ITEMS, Board, MinutesLog
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db


def url(board):
    return reverse("meetings:board-settings", args=[board.slug])


def form_data(board, **changes):
    """The settings form as the page posts it, standing items included, with `changes` applied."""
    data = {
        "name": board.name,
        "short_name": board.short_name,
        "terms_of_reference": board.terms_of_reference,
        "default_start_time": board.default_start_time.strftime("%H:%M"),
        "default_duration_minutes": board.default_duration_minutes,
        "default_place": board.default_place,
        "default_online_link": board.default_online_link,
        "minutes_log": board.minutes_log,
        "reminder_days": board.reminder_days,
        "next_action_number": board.next_action_number,
        "version": board.version,
    }
    for flag in ("email_attachments", "email_minutes_text", "require_two_factor"):
        if getattr(board, flag):
            data[flag] = "on"
    items = changes.pop("standing", board.standing_items)
    data.update(
        {
            "standing-TOTAL_FORMS": len(items) + 1,
            "standing-INITIAL_FORMS": len(board.standing_items),
            "standing-MIN_NUM_FORMS": 0,
            "standing-MAX_NUM_FORMS": 30,
        }
    )
    for i, item in enumerate(items):
        data[f"standing-{i}-title"] = item["title"]
        data[f"standing-{i}-minutes"] = item["minutes"]
        data[f"standing-{i}-ORDER"] = item.get("order", i + 1)
        if item.get("closing"):
            data[f"standing-{i}-closing"] = "on"
        if item.get("delete"):
            data[f"standing-{i}-DELETE"] = "on"
    data.update(changes)
    return data


def test_a_new_board_starts_with_the_default_standing_items(board):
    assert [(i["title"], i["minutes"], i["closing"]) for i in board.standing_items] == STANDING_ITEMS


def test_the_secretary_saves_the_boards_settings(client, board, secretary):
    client.force_login(secretary)
    assert client.get(url(board)).status_code == 200
    response = client.post(
        url(board),
        form_data(
            board,
            name="South East Region Adoption Leadership Board",
            short_name="SE ALB",
            default_place="Reading Town Hall",
            default_online_link="https://meet.example.org/alb",
            default_start_time="10:00",
            default_duration_minutes=120,
            minutes_log=MinutesLog.MEETING,
            reminder_days=5,
            email_attachments="on",
            require_two_factor="on",
            next_action_number=79,
        ),
    )
    assert response.status_code == 302, response.content.decode()
    board.refresh_from_db()
    assert board.short_name == "SE ALB" and board.default_place == "Reading Town Hall"
    assert board.default_start_time == datetime.time(10) and board.default_duration_minutes == 120
    assert board.minutes_log == MinutesLog.MEETING and board.reminder_days == 5
    assert board.email_attachments and not board.email_minutes_text and board.require_two_factor
    assert board.next_action_number == 79 and board.version == 2
    assert board.history.count() == 2  # created, and this one save


def test_standing_items_are_added_removed_and_reordered_and_used_by_the_next_meeting(client, board, secretary):
    client.force_login(secretary)
    items = [dict(i) for i in board.standing_items]
    items[0]["order"], items[1]["order"] = 2, 1  # minutes of the last meeting first
    items[2]["delete"] = True  # no separate action log review
    items.append({"title": "Adopter voice", "minutes": 15, "order": 3})  # the new row
    response = client.post(url(board), form_data(board, standing=items))
    assert response.status_code == 302, response.content.decode()
    board.refresh_from_db()
    assert [(i["title"], i["closing"]) for i in board.standing_items] == [
        ("Minutes of the last meeting and matters arising", False),
        ("Welcome, introductions and apologies", False),
        ("Adopter voice", False),
        ("Any other business", True),
        ("Future agenda items and dates of next meetings", True),
    ]
    meeting = meeting_schedule(
        board=board, date=datetime.date(2030, 1, 8), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    agenda = list(meeting.items.order_by("position").values_list("title", "duration_minutes", "is_closing"))
    assert agenda[2] == ("Adopter voice", 15, False)
    assert agenda[-1] == ("Future agenda items and dates of next meetings", 5, True)


def test_a_closing_item_moved_up_still_ends_the_agenda(client, board, secretary):
    client.force_login(secretary)
    items = [dict(i) for i in board.standing_items]
    items[3]["order"] = 1  # "Any other business" asked to go first
    assert client.post(url(board), form_data(board, standing=items)).status_code == 302
    board.refresh_from_db()
    assert [i["title"] for i in board.standing_items][-2:] == [
        "Any other business",
        "Future agenda items and dates of next meetings",
    ]


def test_a_standing_item_without_minutes_is_a_form_error(client, board, secretary):
    client.force_login(secretary)
    items = [dict(i) for i in board.standing_items] + [{"title": "Adopter voice", "minutes": ""}]
    response = client.post(url(board), form_data(board, standing=items))
    assert response.status_code == 400
    assert "Give the minutes allowed." in response.content.decode()
    board.refresh_from_db()
    assert len(board.standing_items) == 5 and board.version == 1


def test_the_next_number_shows_on_the_raise_form_and_is_the_one_given(client, board, secretary):
    client.force_login(secretary)
    client.post(url(board), form_data(board, next_action_number=79))
    meeting = meeting_schedule(
        board=board, date=datetime.date(2030, 1, 8), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    assert "This will be action 79." in client.get(meeting.get_absolute_url()).content.decode()
    action = action_raise(board=board, text="Report back", whole_board=True)
    assert action.number == 79


def test_a_lowered_next_number_is_a_form_error_and_writes_nothing(client, board, secretary):
    board.next_action_number = 79
    board.save()
    client.force_login(secretary)
    response = client.post(url(board), form_data(board, name="Renamed", next_action_number=78))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The next action number can only go up: it is 79 now" in page
    board.refresh_from_db()
    assert (board.name, board.next_action_number, board.version) == ("Test Region Adoption Leadership Board", 79, 1)


def test_the_next_number_cannot_go_below_a_number_already_used(client, board, secretary):
    # A number written straight into the log (the counter left behind): 80 is used.
    Action.objects.create(board=board, number=80, text="Old paper action", issued_on=datetime.date(2024, 2, 1))
    client.force_login(secretary)
    response = client.post(url(board), form_data(board, next_action_number=80))
    assert response.status_code == 400 and "it is 81 now" in response.content.decode()
    assert client.post(url(board), form_data(board, next_action_number=81)).status_code == 302


def test_a_save_based_on_an_old_version_is_refused(client, board, secretary):
    client.force_login(secretary)
    stale = form_data(board, default_place="Guildford")
    assert client.post(url(board), form_data(board, default_place="Reading")).status_code == 302
    response = client.post(url(board), stale)
    assert response.status_code == 409
    assert "Someone else saved this" in response.content.decode()
    board.refresh_from_db()
    assert board.default_place == "Reading"


def test_a_member_may_not_change_the_settings(client, board, member):
    client.force_login(member)
    assert client.post(url(board), form_data(board, name="Hijacked")).status_code == 403
    assert Board.objects.get(pk=board.pk).name == "Test Region Adoption Leadership Board"


# --- Creating a board -------------------------------------------------------------------------------


def test_staff_create_a_board_and_go_on_to_its_people(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("meetings:board-create"),
        {
            "name": "North West Adoption Board",
            "short_name": "NW",
            "default_start_time": "10:00",
            "default_duration_minutes": 120,
        },
    )
    board = Board.objects.get(slug="north-west-adoption-board")
    assert response.status_code == 302 and response["Location"] == reverse("meetings:board-people", args=[board.slug])
    assert board.default_start_time == datetime.time(10) and len(board.standing_items) == 5


@pytest.mark.parametrize("slug, says", [("new", "is reserved"), ("test-alb", "already has the address")])
def test_a_board_address_taken_or_reserved_is_a_form_error(client, staff, board, slug, says):
    client.force_login(staff)
    response = client.post(
        reverse("meetings:board-create"),
        {"name": "Another", "slug": slug, "default_start_time": "10:00", "default_duration_minutes": 90},
    )
    assert response.status_code == 400 and says in response.content.decode()
    assert Board.objects.count() == 1
