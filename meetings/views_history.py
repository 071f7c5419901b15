"""The audit trail in the app: who changed what, and when, for editors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from adoptboard.http import post_only

from .history import HISTORY_KINDS, RESTORABLE, history_entries, removed_records
from .permissions import board_for_user, require


@require_safe
def board_history(request, slug):
    """The board's history: what was taken off it (agenda items, actions), each with its audit
    trail and a button that puts it back."""
    board = board_for_user(request.user, slug, edit=True)
    context = {"board": board, "removed": removed_records(board)}
    return render(request, "meetings/board_history.html", context)


@post_only("meetings:board-history", "slug")
def object_restore(request, slug, kind, pk):
    board = board_for_user(request.user, slug, edit=True)
    require(board.access.may_restore)
    restorable = RESTORABLE.get(kind)
    if restorable is None:
        raise Http404("No such kind of record")
    obj = get_object_or_404(restorable.removed(board), pk=pk)
    try:
        restored = restorable.restore(obj, by=request.user)
    except ValidationError as exc:
        # Refused (the meeting's minutes are approved, say): the page again, with why.
        messages.error(request, " ".join(exc.messages))
        context = {"board": board, "removed": removed_records(board)}
        return render(request, "meetings/board_history.html", context, status=409)
    messages.success(request, f"Restored: {restorable.describe(restored)}.")
    return redirect("meetings:board-history", slug=board.slug)


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
