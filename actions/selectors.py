"""Reads of the action log that need care: the log's rows, an action's history, a person's open actions."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from meetings.models import Board, Membership, Person

from .models import Action, ActionUpdate, Responsibility


def _with_responsible():
    # One query for the responsibilities and their people together (the model's `people` reads it).
    return Prefetch("responsibilities", queryset=Responsibility.objects.select_related("person"))


def _latest_update():
    return ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")


def action_log(board: Board) -> QuerySet[Action]:
    """The board's live actions, newest number first, with what each row of the log shows.

    The last update's date and note come from correlated subqueries, so a page of 50 rows
    or an export of 10,000 costs the same number of queries.
    """
    latest = _latest_update()
    return (
        Action.objects.live()
        .filter(board=board)
        .select_related("meeting", "agenda_item")
        .prefetch_related(_with_responsible())
        .annotate(
            last_update_at=Subquery(latest.values("created_at")[:1]),
            last_update_note=Subquery(latest.values("note")[:1]),
        )
        .order_by("-number")
    )


def log_updated_at(board: Board) -> datetime.datetime | None:
    """When anything in the board's action log last changed: an action saved, or an update added."""
    found = Action.objects.filter(board=board).aggregate(
        changed=Max("updated_at"), updated=Max("updates__created_at")
    )
    moments = [m for m in (found["changed"], found["updated"]) if m is not None]
    return max(moments) if moments else None


def action_page(board: Board) -> QuerySet[Action]:
    """The board's live actions as the action page shows one: origin meeting and item, people."""
    return (
        Action.objects.live()
        .filter(board=board)
        .select_related("board", "meeting", "agenda_item")
        .prefetch_related(_with_responsible())
    )


def action_history(action: Action) -> QuerySet[ActionUpdate]:
    """The action's updates, oldest first, with who made each and at which meeting."""
    return (
        ActionUpdate.objects.filter(action=action)
        .select_related("meeting__board", "created_by__person")
        .order_by("created_at", "pk")
    )


def is_responsible(action: Action, person: Person | None, *, on: datetime.date | None = None) -> bool:
    """Does this person answer for the action: named on it, or a current member when it is "all"?"""
    if person is None:
        return False
    if any(p.pk == person.pk for p in action.people):
        return True
    if action.whole_board:
        return Membership.objects.current(on).filter(board_id=action.board_id, person=person).exists()
    return False


def answered_by(person: Person, *, on: datetime.date | None = None) -> Q:
    """Actions a person answers for: named on them, or as "all" on a board they currently sit on.

    Written with IN-subqueries rather than joins, so the rows need no DISTINCT and the
    navigation's count on every page stays one plain COUNT(*).
    """
    named = Responsibility.objects.filter(person=person).values("action_id")
    seats = Membership.objects.current(on).filter(person=person).values("board_id")
    return Q(pk__in=named) | Q(whole_board=True, board_id__in=seats)


def my_open_actions(user) -> QuerySet[Action]:
    """The user's open actions on the boards they can see, grouped by board, newest number first."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return Action.objects.none()
    return (
        Action.objects.live()
        .open()
        .filter(answered_by(person), board__in=Board.objects.for_user(user).values("pk"))
        .select_related("board", "meeting")
        .prefetch_related(_with_responsible())
        .order_by("board__name", "board_id", "-number")
    )


@dataclass(frozen=True)
class ExportRow:
    """One action as the exports write it: plain values, nothing lazy."""

    number: int
    text: str
    responsible: str
    issued_on: datetime.date
    due_date: datetime.date | None
    meeting: datetime.date | None
    status: str
    status_note: str
    last_update_on: datetime.date | None
    last_update_note: str


def export_rows(actions) -> list[ExportRow]:
    """Turn log rows (from `action_log`, filters applied) into the exports' rows."""
    rows = []
    for a in actions:
        last = a.last_update_at
        rows.append(
            ExportRow(
                number=a.number,
                text=a.text,
                responsible=a.responsible_label(),
                issued_on=a.issued_on,
                due_date=a.due_date,
                meeting=a.meeting.date if a.meeting_id else None,
                status=a.get_status_display(),
                status_note=a.status_note,
                last_update_on=timezone.localtime(last).date() if last else None,
                last_update_note=a.last_update_note or "",
            )
        )
    return rows
