"""Writes to the action log: every multi-row change is one named, atomic function."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from meetings.models import AgendaItem, Board, Meeting, Person

from .models import Action, ActionUpdate, Responsibility, Status


def allocate_action_number(board: Board) -> int:
    """Take the board's next action number. Call inside the transaction that creates the action.

    The board row is locked (SELECT ... FOR UPDATE on PostgreSQL) and its counter bumped in the
    same transaction as the insert: concurrent raises queue up, a rollback gives the number back,
    and a number once used — even by an action later removed — is never handed out again.
    """
    counter = Board.objects.select_for_update().values_list("next_action_number", flat=True).get(pk=board.pk)
    # Numbers set by hand (admin, imports) may have run past the counter: never clash with them.
    highest = Action.objects.filter(board=board).aggregate(m=Max("number"))["m"] or 0
    number = max(counter, highest + 1)
    Board.objects.filter(pk=board.pk).update(next_action_number=number + 1)
    board.next_action_number = number + 1
    return number


def _check_responsible(people: list[Person], whole_board: bool) -> None:
    if not people and not whole_board:
        raise ValidationError(
            "Say who is responsible: one or more people, or the whole board.", code="no_responsible"
        )


@transaction.atomic
def action_raise(
    *,
    board: Board,
    text: str,
    responsible: Iterable[Person] = (),
    whole_board: bool = False,
    meeting: Meeting | None = None,
    item: AgendaItem | None = None,
    issued_on: datetime.date | None = None,
    due_date: datetime.date | None = None,
    status: str = Status.OPEN,
    status_note: str = "",
    number: int | None = None,
    by=None,
) -> Action:
    """Raise an action with the board's next number (or, for imports, a given unused number)."""
    people = list(responsible)
    _check_responsible(people, whole_board)
    if not text.strip():
        raise ValidationError("The action needs some text.", code="no_text")
    if item is not None:
        meeting = item.meeting
    if meeting is not None and meeting.board_id != board.pk:
        raise ValidationError("That meeting belongs to another board.", code="wrong_board")
    if number is None:
        number = allocate_action_number(board)
    else:
        # Lock the counter all the same, and move it past a number set by hand.
        allocate_action_number(board)
        Board.objects.filter(pk=board.pk, next_action_number__lte=number).update(next_action_number=number + 1)
    action = Action.objects.create(
        board=board,
        number=number,
        text=text.strip(),
        whole_board=whole_board,
        meeting=meeting,
        agenda_item=item,
        issued_on=issued_on or (meeting.date if meeting else timezone.localdate()),
        due_date=due_date,
        status=status,
        status_note=status_note,
    )
    responsibility_set(action=action, people=people)
    return action


def responsibility_set(*, action: Action, people: list[Person]) -> None:
    """Make `people`, in this order, the ones responsible for `action`."""
    Responsibility.objects.filter(action=action).exclude(person__in=people).delete()
    for position, person in enumerate(dict.fromkeys(people)):
        Responsibility.objects.update_or_create(action=action, person=person, defaults={"position": position})


@transaction.atomic
def action_update_add(
    *, action: Action, status: str, note: str = "", status_note: str | None = None, meeting: Meeting | None = None, by=None
) -> ActionUpdate:
    """Record a progress update on an action and move it to its new status."""
    if status not in Status.values:
        raise ValidationError("Unknown status.", code="bad_status")
    update = ActionUpdate.objects.create(
        action=action,
        meeting=meeting,
        note=note.strip(),
        status_before=action.status,
        status_after=status,
        created_at=timezone.now(),
        created_by=by,
    )
    action.status = status
    if status_note is not None:
        action.status_note = status_note
    action.version += 1
    action.save(update_fields=["status", "status_note", "version", "updated_at"])
    return update
