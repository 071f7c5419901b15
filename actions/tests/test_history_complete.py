"""Every write leaves exactly one audit-trail row per object it changed, bulk writes included.

Each test counts the django-simple-history rows per object before and after one service call:
the objects the write changed have exactly one new row each, and nothing else has any.
"""

import datetime
from collections import Counter

import pytest
from django.apps import apps

from actions.models import Action, Status
from actions.services import action_edit, action_progress_add, action_raise, action_remove, action_review_save
from meetings import services
from meetings.models import AgendaItem, Attendance, AttendanceStatus, Meeting, Person

pytestmark = pytest.mark.django_db

TRACKED = [m for m in apps.get_models() if m._meta.app_label in ("meetings", "actions") and hasattr(m, "history")]


def history_rows() -> Counter:
    """(model, object id) -> how many history rows it has."""
    rows = Counter()
    for model in TRACKED:
        for pk in model.history.values_list("id", flat=True):
            rows[(model.__name__, pk)] += 1
    return rows


def new_rows(before: Counter) -> Counter:
    after = history_rows()
    return Counter({key: after[key] - before[key] for key in after if after[key] != before[key]})


@pytest.fixture
def meeting(board, secretary, member):
    return services.meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )


def test_scheduling_records_the_meeting_each_standing_item_and_each_invitation(board, secretary, member):
    before = history_rows()
    meeting = services.meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    rows = new_rows(before)
    expected = {("Meeting", meeting.pk)}
    expected |= {("AgendaItem", pk) for pk in meeting.items.values_list("pk", flat=True)}
    expected |= {("Attendance", pk) for pk in meeting.attendances.values_list("pk", flat=True)}
    assert len(expected) == 1 + 5 + 2
    assert rows == Counter(dict.fromkeys(expected, 1))


def test_adding_an_item_records_it_and_only_the_items_it_moved_down(meeting):
    closing = list(meeting.items.filter(position__gte=4).values_list("pk", flat=True))
    before = history_rows()
    item = services.item_add(meeting=meeting, title="Adoption breakdown analysis")
    assert item.position == 4
    assert new_rows(before) == Counter(
        dict.fromkeys([("AgendaItem", item.pk)] + [("AgendaItem", pk) for pk in closing], 1)
    )


def test_moving_and_removing_items_record_each_item_that_moved(meeting):
    first, second, *_ = meeting.items.order_by("position")
    before = history_rows()
    services.item_move(item=second, direction="up")
    assert new_rows(before) == Counter({("AgendaItem", first.pk): 1, ("AgendaItem", second.pk): 1})

    last = meeting.items.order_by("position").last()
    before = history_rows()
    services.item_remove(item=second)  # now first on the agenda: everything after it moves up
    moved = set(meeting.items.live().values_list("pk", flat=True))
    assert last.pk in moved
    assert new_rows(before) == Counter(
        dict.fromkeys([("AgendaItem", second.pk)] + [("AgendaItem", pk) for pk in moved], 1)
    )


def test_version_checked_saves_record_one_row(meeting):
    item = meeting.items.first()
    before = history_rows()
    services.item_minutes_save(item=item, expected_version=item.version, notes="Apologies noted.", decisions="")
    assert new_rows(before) == Counter({("AgendaItem", item.pk): 1})
    assert item.history.first().notes == "Apologies noted."

    before = history_rows()
    services.meeting_update(meeting=meeting, expected_version=meeting.version, place="County Hall")
    assert new_rows(before) == Counter({("Meeting", meeting.pk): 1})
    assert meeting.history.first().place == "County Hall"


def test_attendance_records_only_the_rows_that_changed(meeting):
    rows = list(meeting.attendances.select_related("person"))
    changed = rows[0]
    before = history_rows()
    services.attendance_save(
        meeting=meeting,
        rows=[
            {"attendance": a, "status": AttendanceStatus.PRESENT if a is changed else a.status, "deputising_for": None}
            for a in rows
        ],
    )
    assert new_rows(before) == Counter({("Attendance", changed.pk): 1})
    assert Attendance.history.filter(id=changed.pk).first().status == AttendanceStatus.PRESENT


def test_action_writes_record_the_action_and_its_update(board, secretary, meeting):
    sally = Person.objects.get(user=secretary)
    before = history_rows()
    action = action_raise(board=board, text="Share the data pack", responsible=[sally], meeting=meeting)
    responsibility = action.responsibilities.get()
    assert new_rows(before) == Counter({("Action", action.pk): 1, ("Responsibility", responsibility.pk): 1})

    before = history_rows()
    update = action_progress_add(
        action=action, expected_version=action.version, status=Status.IN_PROGRESS, note="Begun"
    )
    assert new_rows(before) == Counter({("Action", action.pk): 1, ("ActionUpdate", update.pk): 1})

    action.refresh_from_db()
    before = history_rows()
    action_edit(
        action=action,
        expected_version=action.version,
        text="Share the regional data pack",
        responsible=[sally],
        whole_board=False,
        due_date=None,
        status_note="",
    )
    assert new_rows(before) == Counter({("Action", action.pk): 1})

    before = history_rows()
    action_remove(action=action)
    assert new_rows(before) == Counter({("Action", action.pk): 1})


def test_a_review_records_each_changed_action_and_each_update_once(board, secretary, meeting):
    sally = Person.objects.get(user=secretary)
    earlier = Meeting.objects.create(
        board=board, date=datetime.date(2030, 1, 6), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    actions = [action_raise(board=board, text=f"Action {n}", responsible=[sally], meeting=earlier) for n in range(3)]
    before = history_rows()
    updates = action_review_save(
        meeting=meeting,
        entries=[
            {"action": actions[0], "status": Status.CLOSED, "note": "Done", "version": actions[0].version},
            {"action": actions[1], "status": Status.OPEN, "note": "", "version": actions[1].version},  # unchanged
            {"action": actions[2], "status": Status.OPEN, "note": "Chased", "version": actions[2].version},
        ],
    )
    expected = {("Action", actions[0].pk), ("Action", actions[2].pk)} | {("ActionUpdate", u.pk) for u in updates}
    assert len(updates) == 2
    assert new_rows(before) == Counter(dict.fromkeys(expected, 1))
    assert Action.history.filter(id=actions[1].pk).count() == 1  # only its creation


def test_deferring_records_the_copy_the_original_and_the_items_moved_on_the_next_agenda(board, meeting):
    following = services.meeting_schedule(
        board=board, date=datetime.date(2030, 6, 5), start_time=datetime.time(14), end_time=datetime.time(15)
    )
    item = services.item_add(meeting=meeting, title="Post order contact")
    moved = list(following.items.filter(position__gte=4).values_list("pk", flat=True))
    before = history_rows()
    copy = services.item_defer(item=item)
    expected = {("AgendaItem", item.pk), ("AgendaItem", copy.pk)} | {("AgendaItem", pk) for pk in moved}
    assert new_rows(before) == Counter(dict.fromkeys(expected, 1))
    assert AgendaItem.objects.get(pk=item.pk).deferred_to_id == copy.pk
