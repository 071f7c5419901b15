"""Bulk writes go out in as few statements as the database allows (SQLite too, not 999 parameters)."""

import datetime

from django.utils import timezone

from actions.models import Action, ActionUpdate, Status
from meetings.models import Meeting


def test_it_writes_a_review_of_300_updates_in_one_insert(board, django_assert_num_queries):
    meeting = Meeting.objects.create(
        board=board, date=datetime.date(2026, 1, 15), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    actions = Action.objects.bulk_create(
        Action(board=board, number=n, text=f"Action {n}", issued_on=meeting.date) for n in range(1, 301)
    )
    now = timezone.now()
    updates = [
        ActionUpdate(
            action=a,
            meeting=meeting,
            note="Reviewed",
            status_before=Status.OPEN,
            status_after=Status.IN_PROGRESS,
            created_at=now,
        )
        for a in actions
    ]
    # 300 rows × 7 columns is 2,100 parameters: past Django's assumed SQLite limit of 999.
    with django_assert_num_queries(1):
        ActionUpdate.objects.bulk_create(updates)
    assert ActionUpdate.objects.filter(meeting=meeting).count() == 300
