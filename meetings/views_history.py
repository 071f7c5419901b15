"""The audit trail in the app: who changed what, and when, for editors."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .history import HISTORY_KINDS, history_entries
from .permissions import board_for_user


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
