"""The audit trail (django-simple-history) as editors read it: which records, and what each change changed."""

from .models import AgendaItem, Attendance, Board, Decision, Declaration, Meeting, Membership, Paper, Person, Topic

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
