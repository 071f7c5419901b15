"""An edit racing the approval lands before it or is refused, never after it (PostgreSQL row locks).

Two threads, each with its own connection: one holds its transaction open inside a write, the
other starts the competing write, which must wait for the first to commit and then see it.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from meetings import services
from meetings.models import AgendaItem, Meeting, MeetingStatus

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting(board, chair):
    meeting = services.meeting_schedule(
        board=board, date=datetime.date(2030, 3, 6), start_time=datetime.time(14), end_time=datetime.time(15, 30)
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    return Meeting.objects.get(pk=meeting.pk)


class Held:
    """Run `write` in a thread inside a transaction that stays open until `release()`."""

    def __init__(self, write):
        self.inside, self.go = threading.Event(), threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(write,))

    def _run(self, write):
        try:
            with transaction.atomic():
                write()
                self.inside.set()
                self.go.wait(10)
        except BaseException as exc:
            self.error = exc
        finally:
            self.inside.set()
            connections.close_all()

    def start(self):
        self.thread.start()
        assert self.inside.wait(10)
        return self

    def release(self):
        self.go.set()
        self.thread.join(10)


class Competing:
    """Run `write` in a thread; note whether it finished and how."""

    def __init__(self, write):
        self.done = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(write,))

    def _run(self, write):
        try:
            write()
        except BaseException as exc:
            self.error = exc
        finally:
            self.done.set()
            connections.close_all()

    def start(self):
        self.thread.start()
        return self


def save_minutes(item_pk, text):
    item = AgendaItem.objects.select_related("meeting").get(pk=item_pk)
    services.item_minutes_save(item=item, expected_version=item.version, notes=text, decisions="")


def test_an_edit_in_flight_lands_before_the_approval_that_waited_for_it(meeting, chair):
    item = meeting.items.first()
    edit = Held(lambda: save_minutes(item.pk, "Apologies from RM.")).start()
    approve = Competing(lambda: services.minutes_approve(meeting=Meeting.objects.get(pk=meeting.pk), by=chair)).start()
    assert not approve.done.wait(0.5), "the approval must wait for the edit's transaction"
    edit.release()
    assert approve.done.wait(10) and approve.error is None and edit.error is None
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert meeting.is_locked and item.notes == "Apologies from RM."
    # The audit trail has the minutes before the approval.
    assert item.history.latest("history_date").history_date <= meeting.approved_at


def test_an_edit_started_during_the_approval_is_refused_once_it_commits(meeting, chair):
    item = meeting.items.first()
    approve = Held(lambda: services.minutes_approve(meeting=Meeting.objects.get(pk=meeting.pk), by=chair)).start()
    edit = Competing(lambda: save_minutes(item.pk, "Typed while the chair approved")).start()
    assert not edit.done.wait(0.5), "the edit must wait for the approval's transaction"
    approve.release()
    assert edit.done.wait(10) and approve.error is None
    assert isinstance(edit.error, ValidationError) and edit.error.code == "locked"
    item.refresh_from_db()
    assert item.notes == ""
