"""Reads of the action log that need care: the log's rows, an action's history, a person's open actions."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from meetings.models import Board, Membership, Person

from .models import Action, ActionUpdate, Responsibility

# How long the log's cached parts are kept. Their keys carry the board's log version, so a
# change shows at once; this only bounds the memory of versions no longer asked for.
LOG_CACHE_SECONDS = 600


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
        .with_people()
        .annotate(
            last_update_at=Subquery(latest.values("created_at")[:1]),
            last_update_note=Subquery(latest.values("note")[:1]),
        )
        .order_by("-number")
    )


def log_updated_at(board: Board) -> datetime.datetime | None:
    """When anything in the board's action log last changed: the newest time an action was saved.

    Adding an update saves its action too (services and admin alike), so this is one walk of the
    (board, updated_at) index to its first entry.
    """
    return Action.objects.filter(board=board).order_by("-updated_at").values_list("updated_at", flat=True).first()


def action_page(board: Board) -> QuerySet[Action]:
    """The board's live actions as the action page shows one: origin meeting and item, people."""
    return Action.objects.live().filter(board=board).select_related("board", "meeting", "agenda_item").with_people()


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
        .select_related("board")
        .with_people()
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
    """Turn log rows (from `action_log`, filters applied) into the exports' rows.

    Read as plain values in two queries — the rows, then everyone responsible in order — with no
    model instances: building 40,000 of them (actions, their meetings, items, responsibilities)
    was most of an export's time on a board with 10,000 actions.
    """
    from .models import Status, responsible_label

    values = list(
        actions.prefetch_related(None).values(
            "pk",
            "number",
            "text",
            "whole_board",
            "issued_on",
            "due_date",
            "meeting__date",
            "status",
            "status_note",
            "last_update_at",
            "last_update_note",
        )
    )
    initials: dict[int, list[str]] = {}
    for action_id, person_initials in (
        Responsibility.objects.filter(action_id__in=actions.order_by().values("pk"))
        .order_by("action_id", "position", "pk")
        .values_list("action_id", "person__initials")
    ):
        initials.setdefault(action_id, []).append(person_initials)
    labels = dict(Status.choices)
    rows = []
    for a in values:
        last = a["last_update_at"]
        rows.append(
            ExportRow(
                number=a["number"],
                text=a["text"],
                responsible=responsible_label(initials.get(a["pk"], []), whole_board=a["whole_board"]),
                issued_on=a["issued_on"],
                due_date=a["due_date"],
                meeting=a["meeting__date"],
                status=labels.get(a["status"], a["status"]),
                status_note=a["status_note"],
                last_update_on=timezone.localtime(last).date() if last else None,
                last_update_note=a["last_update_note"] or "",
            )
        )
    return rows
