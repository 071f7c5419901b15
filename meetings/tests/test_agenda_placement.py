"""Where new agenda items go depends on the items' closing mark, never on their titles."""

import datetime

import pytest

from meetings import services
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(board, secretary):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )


def titles(meeting):
    return list(meeting.items.live().order_by("position").values_list("title", flat=True))


def test_a_renamed_closing_item_still_ends_the_agenda(meeting):
    aob = meeting.items.get(title="Any other business")
    services.item_update(item=aob, expected_version=aob.version, title="AOB and close")
    services.item_add(meeting=meeting, title="PLO working group report")
    assert titles(meeting)[-3:] == [
        "PLO working group report",
        "AOB and close",
        "Future agenda items and dates of next meetings",
    ]


def test_an_ordinary_item_titled_like_a_closing_one_does_not_hold_the_end(meeting):
    services.item_add(meeting=meeting, title="Any other business", before_standing=False)  # appended last
    services.item_add(meeting=meeting, title="Post order contact")
    assert titles(meeting)[-2:] == ["Any other business", "Post order contact"]
