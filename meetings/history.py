"""The audit trail (django-simple-history) as editors read it: which records, and what each change changed;
and the records taken off the board (removed agenda items, removed actions) that editors may restore."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.dateformat import format as format_date

from .models import AgendaItem, Attendance, Board, Decision, Declaration, Meeting, Membership, Paper, Person, Topic
from .services import item_restore

# kind in the URL -> (model, path from the object to its board's slug). Apps built on this one add
# their kinds with `register_history_kind` (actions.apps).
HISTORY_KINDS = {
    "board": (Board, "slug"),
    "person": (Person, "memberships__board__slug"),
    "membership": (Membership, "board__slug"),
    "meeting": (Meeting, "board__slug"),
    "attendance": (Attendance, "meeting__board__slug"),
    "item": (AgendaItem, "meeting__board__slug"),
    "paper": (Paper, "item__meeting__board__slug"),
    "topic": (Topic, "board__slug"),
    "decision": (Decision, "meeting__board__slug"),
    "declaration": (Declaration, "meeting__board__slug"),
}


def register_history_kind(kind: str, model, board_path: str) -> None:
    """Let editors read the audit trail of `model` at /boards/<slug>/history/<kind>/<pk>/."""
    HISTORY_KINDS[kind] = (model, board_path)


def history_entries(obj):
    """The object's historical records, newest first, each with the fields it changed."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries = []
    for record, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=["version", "updated_at"])
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        entries.append({"record": record, "changes": changes})
    return entries


@dataclass(frozen=True)
class Restorable:
    """A kind of record that is removed by a mark (`removed_at`), never deleted, and can come back."""

    kind: str  # as in HISTORY_KINDS: its audit trail is /boards/<slug>/history/<kind>/<pk>/
    heading: str
    # The board's removed records of this kind, newest removal first.
    removed: Callable[[Board], QuerySet]
    # How the board's history page names one ("Action 74: ...").
    describe: Callable[[object], str]
    # The service that puts one back: restore(obj, by=user); ValidationError when it may not.
    restore: Callable[..., object]


# Apps built on this one add theirs with `register_restorable` (actions.apps); the meetings app its
# agenda items (meetings.apps).
RESTORABLE: dict[str, Restorable] = {}


def register_restorable(restorable: Restorable) -> None:
    RESTORABLE[restorable.kind] = restorable


def removed_records(board: Board) -> list[tuple[Restorable, list[tuple[object, str]]]]:
    """Each kind of restorable record with the board's removed ones and how each is named (one
    query a kind)."""
    return [(r, [(obj, r.describe(obj)) for obj in r.removed(board)]) for r in RESTORABLE.values()]


def _removed_items(board: Board) -> QuerySet:
    return (
        AgendaItem.objects.filter(meeting__board=board, removed_at__isnull=False)
        .select_related("meeting")
        .order_by("-removed_at", "-pk")
    )


def _restore_item(item: AgendaItem, *, by) -> AgendaItem:
    return item_restore(item=item, by=by)


register_restorable(
    Restorable(
        kind="item",
        heading="Agenda items taken off",
        removed=_removed_items,
        describe=lambda item: f"Item {item.position} of {format_date(item.meeting.date, 'j F Y')}: {item.title}",
        restore=_restore_item,
    )
)
