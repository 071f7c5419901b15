"""Writes to the action log: every multi-row change is one named, atomic function."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Case, Max, Value, When
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from adoptboard.concurrency import StaleEdit, save_if_unchanged
from meetings.models import AgendaItem, Board, Meeting, Person
from meetings.services import lock_meeting_for_edit

from .importing import CREATE, UNCHANGED, UPDATE, RawRow, clean_filename, preview_import
from .lines import parse_action_lines
from .models import ACTION_TEXT_MAX, Action, ActionUpdate, DroppedActionLine, Responsibility, Status
from .selectors import action_line_offers


def lock_action_counter(board: Board) -> int:
    """Lock the board's row, its action counter, until the transaction ends; return the counter.

    Every writer that numbers actions takes it first, so raises and imports on a board queue up.
    """
    return Board.objects.select_for_update().values_list("next_action_number", flat=True).get(pk=board.pk)


def allocate_action_number(board: Board) -> int:
    """Take the board's next action number. Call inside the transaction that creates the action.

    The board row is locked (SELECT ... FOR UPDATE on PostgreSQL) and its counter bumped in the
    same transaction as the insert: concurrent raises queue up, a rollback gives the number back,
    and a number once used — even by an action later removed — is never handed out again.
    """
    counter = lock_action_counter(board)
    # Numbers set by hand (admin, imports) may have run past the counter: never clash with them.
    highest = Action.objects.filter(board=board).aggregate(m=Max("number"))["m"] or 0
    number = max(counter, highest + 1)
    Board.objects.filter(pk=board.pk).update(next_action_number=number + 1)
    board.next_action_number = number + 1
    return number


def _check_action(text: str, people: list[Person], whole_board: bool) -> None:
    if not people and not whole_board:
        raise ValidationError("Say who is responsible: one or more people, or the whole board.", code="no_responsible")
    if not text.strip():
        raise ValidationError("The action needs some text.", code="no_text")
    if len(text) > ACTION_TEXT_MAX:
        raise ValidationError(f"Keep the action to {ACTION_TEXT_MAX:,} characters.", code="too_long")


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
    source_line: str = "",
    by=None,
) -> Action:
    """Raise an action with the board's next number (or, for imports, a given unused number).

    `source_line` is the fingerprint of the "Action:" line of the item's minutes it comes from
    (see action_line_raise).
    """
    people = list(responsible)
    _check_action(text, people, whole_board)
    if item is not None:
        meeting = item.meeting
    if meeting is not None:
        if meeting.board_id != board.pk:
            raise ValidationError("That meeting belongs to another board.", code="wrong_board")
        # Raised at a meeting: not once its minutes are approved.
        lock_meeting_for_edit(meeting)
    if number is None:
        number = allocate_action_number(board)
    else:
        # A number set by hand: the counter (locked first) moves past it, never back.
        lock_action_counter(board)
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
        source_line=source_line,
    )
    responsibility_set(action=action, people=people)
    return action


def responsibility_set(*, action: Action, people: list[Person]) -> None:
    """Make `people`, in this order, the ones responsible for `action`, writing only what changed."""
    wanted = {person.pk: position for position, person in enumerate(dict.fromkeys(people))}
    existing = {r.person_id: r for r in Responsibility.objects.filter(action=action)}
    for person_id, row in existing.items():
        if person_id not in wanted:
            row.delete()
        elif row.position != wanted[person_id]:
            row.position = wanted[person_id]
            row.save(update_fields=["position"])
    for person_id, position in wanted.items():
        if person_id not in existing:
            Responsibility.objects.create(action=action, person_id=person_id, position=position)


@transaction.atomic
def action_review_save(*, meeting: Meeting, entries: list[dict], by=None) -> list[ActionUpdate]:
    """Save a meeting's action-log review in one go: per action a new status and an update note.

    `entries` holds dicts with `action` (from the meeting's review list), `status`, `note` and
    `version` (the action's version when the form was loaded). Actions whose status is unchanged and
    whose note is empty get no update. Any action changed by someone else since the form was loaded
    refuses the whole save (StaleEdit), so nothing is half-written. Constant queries: one locking
    read, one bulk insert of updates, one bulk update of actions (plus their history rows).
    """

    lock_meeting_for_edit(meeting)
    if not entries:
        return []
    for entry in entries:
        if entry["status"] not in Status.values:
            raise ValidationError(f"Unknown status for action {entry['action'].number}.", code="bad_status")
    ids = [entry["action"].pk for entry in entries]
    current = {a.pk: a for a in Action.objects.select_for_update().filter(pk__in=ids, board_id=meeting.board_id).live()}
    if len(current) != len(set(ids)):
        raise ValidationError("Some of these actions are not on this board's log.", code="wrong_board")
    now = timezone.now()
    updates, changed = [], []
    for entry in entries:
        action = current[entry["action"].pk]
        if entry.get("version") is not None and action.version != entry["version"]:
            raise StaleEdit()
        note = (entry.get("note") or "").strip()
        if entry["status"] == action.status and not note:
            continue
        updates.append(
            ActionUpdate(
                action=action,
                meeting=meeting,
                note=note,
                status_before=action.status,
                status_after=entry["status"],
                created_at=now,
                created_by=by,
            )
        )
        action.status = entry["status"]
        if note:
            action.status_note = note[:300]
        action.version += 1
        action.updated_at = now
        changed.append(action)
    if updates:
        bulk_create_with_history(updates, ActionUpdate, batch_size=500, default_user=by)
        bulk_update_with_history(
            changed, Action, ["status", "status_note", "version", "updated_at"], batch_size=500, default_user=by
        )
    return updates


@transaction.atomic
def action_progress_add(
    *,
    action: Action,
    expected_version: int,
    status: str,
    note: str = "",
    status_note: str | None = None,
    meeting: Meeting | None = None,
    by=None,
) -> ActionUpdate:
    """A progress update from the action page, refused if the action changed since the page was loaded.

    The person chose the new status looking at the old one; if someone else moved it meanwhile,
    "status before → after" would record a change they never saw.
    """

    if meeting is not None:
        if meeting.board_id != action.board_id:
            raise ValidationError("That meeting belongs to another board.", code="wrong_board")
        # Recorded "at" a meeting: part of its minutes, so not once they are approved.
        lock_meeting_for_edit(meeting)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise StaleEdit()
    if not note.strip() and status == locked.status and (status_note is None or status_note == locked.status_note):
        raise ValidationError("Write a note or change the status.", code="empty_update")
    if status not in Status.values:
        raise ValidationError("Unknown status.", code="bad_status")
    update = ActionUpdate.objects.create(
        action=locked,
        meeting=meeting,
        note=note.strip(),
        status_before=locked.status,
        status_after=status,
        created_at=timezone.now(),
        created_by=by,
    )
    locked.status = status
    if status_note is not None:
        locked.status_note = status_note
    locked.version += 1
    locked.save(update_fields=["status", "status_note", "version", "updated_at"])
    action.status, action.status_note, action.version = locked.status, locked.status_note, locked.version
    return update


@transaction.atomic
def action_edit(
    *,
    action: Action,
    expected_version: int,
    text: str,
    responsible: Iterable[Person],
    whole_board: bool,
    due_date: datetime.date | None,
    status_note: str,
    by=None,
) -> Action:
    """An editor's change to the action itself (not its status: that is an update, with history)."""

    people = list(responsible)
    _check_action(text, people, whole_board)
    action.text = text.strip()
    action.whole_board = whole_board
    action.due_date = due_date
    action.status_note = status_note.strip()
    action.updated_at = timezone.now()
    save_if_unchanged(
        action,
        expected_version=expected_version,
        fields=["text", "whole_board", "due_date", "status_note", "updated_at"],
    )
    responsibility_set(action=action, people=people)
    return action


# --------------------------------------------------------------------------- importing an action log


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    people_created: list[Person] = field(default_factory=list)


STALE_PREVIEW = (
    "The action log changed since this preview was made (someone raised or edited an action, or added "
    "a person). Here is the preview again as things stand now: check it and confirm again."
)
IMPORT_BATCH = 500


@transaction.atomic
def actions_import(
    *,
    board: Board,
    rows: Sequence[RawRow],
    create_people: bool,
    by=None,
    expected_fingerprint: str | None = None,
    source: str = "",
    allow_number_jump: bool = False,
) -> ImportResult:
    """Bring an existing action log (rows read by `actions.importing.read_file`) in, keeping its numbers.

    Each row is planned again here, under lock (`actions.importing.preview_import`): new actions
    are created in bulk keeping their numbers (`_import_create`), changed actions updated in bulk
    (`_import_update`), unchanged ones not touched at all (so importing the same file twice
    changes nothing), and rows with problems are skipped. With `expected_fingerprint` (the preview
    the user saw), a board that changed since is refused with code "stale_preview" rather than
    written differently from what was shown. Numbers that would move the board's next number far
    past its log (`Preview.number_jump`, a typo like 99999999) are refused with code
    "number_jump" unless `allow_number_jump`. The queries do not grow with the rows (up to
    `IMPORT_BATCH` rows a statement).
    """

    # Lock the board's counter first: raises and other imports on this board wait for us.
    counter_before = lock_action_counter(board)
    board.next_action_number = counter_before
    preview = preview_import(board=board, rows=rows, lock=True)
    if expected_fingerprint is not None and preview.fingerprint() != expected_fingerprint:
        raise ValidationError(STALE_PREVIEW, code="stale_preview")
    if preview.number_jump and not allow_number_jump:
        raise ValidationError(
            f"{preview.number_jump.message} Nothing was imported: confirm the numbers if they are right.",
            code="number_jump",
        )

    note = f"Imported from {clean_filename(source)}." if source else "Imported."
    reason = _history_reason(note)
    result = ImportResult()
    if create_people and preview.unknown_initials:
        result.people_created = bulk_create_with_history(
            [Person(initials=initials) for initials in preview.unknown_initials],
            Person,
            default_user=by,
            default_change_reason=reason,
        )
        preview = preview_import(board=board, rows=rows, extra_people=result.people_created, lock=True)

    ready = [p for p in preview.rows if not p.problems]
    creates = [p for p in ready if p.kind == CREATE]
    result.created = len(_import_create(creates, board=board, counter=counter_before, by=by, reason=reason))
    updates = [p for p in ready if p.kind == UPDATE]
    _import_update(updates, note=note, reason=reason, by=by)
    result.updated = len(updates)
    result.unchanged = sum(1 for p in ready if p.kind == UNCHANGED)
    result.skipped = len(preview.rows) - len(ready)
    return result


def _history_reason(note: str) -> str:
    """`note` cut to fit the history's change reason (100 characters): a file's name may be 255."""
    limit = Action.history.model._meta.get_field("history_change_reason").max_length
    return note if len(note) <= limit else note[: limit - 13] + "…" + note[-12:]


def _import_update(plans: list, *, note: str, reason: str, by) -> None:
    """Apply imported rows to the actions they matched, in bulk: one history row per changed action
    and per changed responsibility, and a status change recorded as an update (status before and
    after), as the review save does.

    The actions are locked (preview_import(lock=True)) and the preview's fingerprint was checked.
    """
    if not plans:
        return
    now = timezone.now()
    fields = {"version", "updated_at"}
    updates: list[ActionUpdate] = []
    people: list[tuple[Action, list[Person]]] = []
    for plan in plans:
        action = plan.action
        if "text" in plan.changes:
            action.text = plan.text
            fields.add("text")
        if "issued" in plan.changes:
            action.issued_on = plan.issued_on
            fields.add("issued_on")
        if "responsible" in plan.changes:
            _check_action(action.text, plan.people, plan.whole_board)
            action.whole_board = plan.whole_board
            fields.add("whole_board")
            people.append((action, plan.people))
        if "status" in plan.changes:
            updates.append(
                ActionUpdate(
                    action=action,
                    note=note,
                    status_before=action.status,
                    status_after=plan.status,
                    created_at=now,
                    created_by=by,
                )
            )
            action.status, action.status_note = plan.status, plan.status_note
            fields |= {"status", "status_note"}
        action.version += 1
        action.updated_at = now
    if updates:
        bulk_create_with_history(
            updates, ActionUpdate, batch_size=IMPORT_BATCH, default_user=by, default_change_reason=reason
        )
    # Every field any row changed is written for all of them: the others get the value they had.
    _bulk_update_with_history([plan.action for plan in plans], Action, sorted(fields), by=by, reason=reason)
    _responsibilities_replace(people, by=by, reason=reason)


def _bulk_update_with_history(objs: list, model, fields: list[str], *, by, reason: str) -> None:
    """simple-history's bulk_update_with_history, in one UPDATE per `IMPORT_BATCH` rows whose CASE
    has one WHEN per distinct value of a field rather than one per row.

    QuerySet.bulk_update builds a WHEN (and resolves its filter) for every row and field: 5,000
    actions × 6 fields took 32 s of Python on a loaded machine, this 4.9 s; only the text, which
    differs on every row, still costs a WHEN a row.
    """
    for start in range(0, len(objs), IMPORT_BATCH):
        batch = objs[start : start + IMPORT_BATCH]
        values = {}
        for name in fields:
            field = model._meta.get_field(name)
            rows_by_value: dict = {}
            for obj in batch:
                rows_by_value.setdefault(getattr(obj, field.attname), []).append(obj.pk)
            cases = [When(pk__in=pks, then=Value(value, output_field=field)) for value, pks in rows_by_value.items()]
            values[name] = cases[0].result if len(cases) == 1 else Case(*cases, output_field=field)
        model.objects.filter(pk__in=[obj.pk for obj in batch]).update(**values)
    model.history.bulk_history_create(
        objs, batch_size=IMPORT_BATCH, update=True, default_user=by, default_change_reason=reason
    )


def _responsibilities_replace(changes: list[tuple[Action, list[Person]]], *, by, reason: str) -> None:
    """`responsibility_set` for many actions in a few statements: the rows of people no longer named
    are deleted, those of new people created, those that moved renumbered, each with its history row.

    The actions carry their current responsibilities (`with_people()`, read under their lock).
    """
    gone: list[Responsibility] = []
    new: list[Responsibility] = []
    moved: list[Responsibility] = []
    for action, people in changes:
        current = {r.person_id: r for r in action.responsibility_list}
        for position, person in enumerate(dict.fromkeys(people)):
            row = current.pop(person.pk, None)
            if row is None:
                new.append(Responsibility(action=action, person=person, position=position))
            elif row.position != position:
                row.position = position
                moved.append(row)
        gone.extend(current.values())
    if gone:
        history = Responsibility.history.model
        now = timezone.now()
        history.objects.bulk_create(
            [
                history(
                    history_date=now,
                    history_user=by,
                    history_change_reason=reason,
                    history_type="-",
                    **{f.attname: getattr(row, f.attname) for f in history.tracked_fields},
                )
                for row in gone
            ],
            batch_size=IMPORT_BATCH,
        )
        # No signals: simple-history would add a second "-" row per responsibility, one INSERT each.
        ids = [row.pk for row in gone]
        for start in range(0, len(ids), IMPORT_BATCH):
            Responsibility.objects.filter(pk__in=ids[start : start + IMPORT_BATCH])._raw_delete(
                router.db_for_write(Responsibility)
            )
    if new:
        bulk_create_with_history(
            new, Responsibility, batch_size=IMPORT_BATCH, default_user=by, default_change_reason=reason
        )
    if moved:
        _bulk_update_with_history(moved, Responsibility, ["position"], by=by, reason=reason)


def _import_create(plans: list, *, board: Board, counter: int, by, reason: str) -> list[Action]:
    """Create the imported actions in a few queries, numbered as `action_raise` would number them.

    `action_raise` costs about 23 queries an action (counter, history, responsibilities one by
    one): 5,000 rows took 50 s on SQLite and 264 s on PostgreSQL, far past any request timeout.
    This does the same checks and keeps the same numbering rules in bulk, under the board's lock
    taken by `actions_import`: given numbers are kept (the plan has checked that they are unused),
    rows without one get the next numbers after everything on the board and in the file, oldest
    first, and the counter ends just past the highest number, never lower than it was.
    """
    if not plans:
        return []
    for plan in plans:
        _check_action(plan.text, plan.people, plan.whole_board)
    numbered = sorted((p for p in plans if p.number is not None), key=lambda p: p.number)
    unnumbered = [p for p in plans if p.number is None]
    # A log written newest first is read backwards, so that older actions get lower numbers.
    if len(unnumbered) > 1 and unnumbered[0].issued_on > unnumbered[-1].issued_on:
        unnumbered.reverse()
    unnumbered.sort(key=lambda p: p.issued_on)
    highest = Action.objects.filter(board=board).aggregate(m=Max("number"))["m"] or 0
    next_number = max(counter, highest + 1, (numbered[-1].number + 1) if numbered else 1)
    numbers = [p.number for p in numbered] + list(range(next_number, next_number + len(unnumbered)))
    ordered = numbered + unnumbered
    actions = bulk_create_with_history(
        [
            Action(
                board=board,
                number=number,
                text=plan.text.strip(),
                whole_board=plan.whole_board,
                issued_on=plan.issued_on,
                status=plan.status,
                status_note=plan.status_note,
            )
            for plan, number in zip(ordered, numbers)
        ],
        Action,
        batch_size=IMPORT_BATCH,
        default_user=by,
        default_change_reason=reason,
    )
    bulk_create_with_history(
        [
            Responsibility(action=action, person=person, position=position)
            for action, plan in zip(actions, ordered)
            for position, person in enumerate(dict.fromkeys(plan.people))
        ],
        Responsibility,
        batch_size=IMPORT_BATCH,
        default_user=by,
        default_change_reason=reason,
    )
    last = max(numbers)
    Board.objects.filter(pk=board.pk, next_action_number__lte=last).update(next_action_number=last + 1)
    board.next_action_number = max(counter, last + 1)
    return actions


@transaction.atomic
def action_remove(*, action: Action, by=None) -> None:
    """Take an action off the log. Its row, number and history stay: the number is never reused."""
    if action.removed_at is not None:
        raise ValidationError(f"Action {action.number} was already removed.", code="already_removed")
    action.removed_at = timezone.now()
    action.version += 1
    action._change_reason = "Removed"
    if by is not None:
        action._history_user = by
    action.save(update_fields=["removed_at", "version", "updated_at"])


@transaction.atomic
def action_restore(*, action: Action, by=None) -> Action:
    """Put a removed action back on the log under its own number (never handed out again, so free)."""
    # The action's row, locked: a restore racing another restore or an edit goes one after the other.
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.removed_at is None:
        raise ValidationError(f"Action {locked.number} is on the log already.", code="not_removed")
    locked.removed_at = None
    locked.version += 1
    locked._change_reason = "Restored"
    if by is not None:
        locked._history_user = by
    locked.save(update_fields=["removed_at", "version", "updated_at"])
    action.removed_at, action.version = None, locked.version
    return locked


# --- Actions from "Action:" lines of the minutes ------------------------------------------------

LINE_GONE = "That line is no longer in the minutes of this item (they were changed): reload the page."
LINE_DONE = "That line of the minutes was already raised as an action or dropped: it is not raised again."


def _line_offer(item: AgendaItem, fingerprint: str):
    """The item's offer for the line with this fingerprint, read now (under the meeting's lock)."""
    fresh = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    if fresh.removed_at is not None:
        raise ValidationError("That item is no longer on the agenda.", code="item_removed")
    if not any(line.fingerprint == fingerprint for line in parse_action_lines(fresh.notes)):
        raise ValidationError(LINE_GONE, code="line_gone")
    offers = action_line_offers(fresh.meeting, [fresh]).get(fresh.pk, [])
    offer = next((o for o in offers if o.fingerprint == fingerprint), None)
    if offer is None:
        raise ValidationError(LINE_DONE, code="line_done")
    return fresh, offer


@transaction.atomic
def action_line_raise(
    *,
    item: AgendaItem,
    fingerprint: str,
    text: str,
    responsible: Iterable[Person] = (),
    whole_board: bool = False,
    due_date: datetime.date | None = None,
    by=None,
) -> Action:
    """Raise an "Action:" line of the item's minutes, as the secretary confirmed it (text and people
    maybe edited), as the board's next numbered action linked to the item.

    The line must still be in the item's minutes and not raised or dropped yet, read under the
    meeting's lock; two confirmations of one line queue on that lock and the second is refused.
    The action carries the line's fingerprint, and a unique constraint on (item, fingerprint)
    refuses a second action from the same line whatever path it takes.
    """
    lock_meeting_for_edit(item.meeting)
    fresh, _ = _line_offer(item, fingerprint)
    try:
        with transaction.atomic():
            return action_raise(
                board=fresh.meeting.board,
                item=fresh,
                text=text,
                responsible=responsible,
                whole_board=whole_board,
                due_date=due_date,
                source_line=fingerprint,
                by=by,
            )
    except IntegrityError as exc:
        if Action.objects.filter(agenda_item=fresh, source_line=fingerprint).exists():
            raise ValidationError(LINE_DONE, code="line_done") from exc
        raise


@transaction.atomic
def action_line_drop(*, item: AgendaItem, fingerprint: str, by=None) -> DroppedActionLine:
    """Drop an "Action:" line of the item's minutes: it is not an action, and is not offered again."""
    lock_meeting_for_edit(item.meeting)
    fresh, offer = _line_offer(item, fingerprint)
    dropped = DroppedActionLine(item=fresh, fingerprint=fingerprint, line=offer.line.line, dropped_by=by)
    dropped._history_user = by
    dropped.save()
    return dropped
