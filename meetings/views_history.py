"""The audit trail in the app: who changed what, and when, for editors."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from actions.models import Action, ActionUpdate

from .access import board_for_user
from .models import AgendaItem, Attendance, Board, Meeting, Membership, Paper, Person, Topic

# kind in the URL -> (model, path from the object to its board's slug)
HISTORY_KINDS = {
    "board": (Board, "slug"),
    "person": (Person, "memberships__board__slug"),
    "membership": (Membership, "board__slug"),
    "meeting": (Meeting, "board__slug"),
    "attendance": (Attendance, "meeting__board__slug"),
    "item": (AgendaItem, "meeting__board__slug"),
    "paper": (Paper, "item__meeting__board__slug"),
    "topic": (Topic, "board__slug"),
    "action": (Action, "board__slug"),
    "update": (ActionUpdate, "action__board__slug"),
}


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


@require_safe
def object_history(request, slug, kind, pk):
    board = board_for_user(request.user, slug, edit=True)
    if kind not in HISTORY_KINDS:
        raise Http404("No such kind of record")
    model, board_path = HISTORY_KINDS[kind]
    # A person belongs to no single board: anyone this board knows of (distinct: several memberships).
    obj = get_object_or_404(model.objects.filter(**{board_path: board.slug}).distinct(), pk=pk)
    return render(
        request,
        "meetings/object_history.html",
        {"board": board, "object": obj, "kind": kind, "entries": history_entries(obj)},
    )
