"""Actions written inline in the minutes ("Action: RE to …"): the secretary confirms each line —
edits it and raises it as the board's next numbered action, or drops it. Editors only: the lines
come from draft minutes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from adoptboard.fields import parse_id
from meetings.models import AgendaItem, Meeting
from meetings.permissions import board_for_user

from . import selectors, services
from .forms import ActionLineForm


def _offers(meeting) -> list[tuple[AgendaItem, list]]:
    items = list(meeting.items.live().order_by("position", "pk"))
    offers = selectors.action_line_offers(meeting, items)
    return [(item, offers[item.pk]) for item in items if item.pk in offers]


def _page(request, board, meeting, *, bound=None, status=200, error=""):
    people_qs = selectors.people_known_to(board)
    people = list(people_qs)
    groups = []
    for item, offers in _offers(meeting):
        forms = []
        for offer in offers:
            form = (
                bound
                if bound is not None and bound.offer.fingerprint == offer.fingerprint and bound.offer.item.pk == item.pk
                else None
            )
            forms.append(form or ActionLineForm(offer=offer, people_qs=people_qs, people=people))
        groups.append((item, forms))
    context = {
        "board": board,
        "meeting": meeting,
        "groups": groups,
        "editable": not meeting.is_locked,
        "error": error,
    }
    return render(request, "actions/meeting_action_lines.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_action_lines(request, slug, pk):
    board = board_for_user(request.user, slug, edit=True)
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board=board, pk=pk)
    if request.method != "POST":
        return _page(request, board, meeting)
    if meeting.is_locked:
        return _page(
            request, board, meeting, status=400, error="The minutes are approved and locked: reopen them first."
        )
    item_pk, _, fingerprint = request.POST.get("line", "").partition(":")
    item = AgendaItem.objects.live().filter(meeting=meeting, pk=parse_id(item_pk) or 0).first()
    decision = request.POST.get("decision")
    if item is None or len(fingerprint) != 64 or decision not in ("raise", "drop"):
        return _page(request, board, meeting, status=400, error="Choose a line of the minutes to raise or drop.")
    offer = next(
        (o for o in selectors.action_line_offers(meeting, [item]).get(item.pk, []) if o.fingerprint == fingerprint),
        None,
    )
    if offer is None:
        return _page(request, board, meeting, status=409, error=services.LINE_DONE)
    back = reverse("actions:meeting-action-lines", args=[slug, pk])
    try:
        if decision == "drop":
            services.action_line_drop(item=item, fingerprint=fingerprint, by=request.user)
            messages.success(request, f"Line dropped: “{offer.line.line}”. It will not be offered again.")
            return redirect(back)
        form = ActionLineForm(request.POST, offer=offer, people_qs=selectors.people_known_to(board))
        if not form.is_valid():
            return _page(request, board, meeting, bound=form, status=400)
        data = form.cleaned_data
        # The order the line named them ("RE/MH"), then anyone added, by name.
        order = {p.pk: i for i, p in enumerate(offer.people)}
        people = sorted(data["responsible"], key=lambda p: (order.get(p.pk, len(order)), p.full_name, p.initials))
        action = services.action_line_raise(
            item=item,
            fingerprint=fingerprint,
            text=data["text"],
            responsible=people,
            whole_board=data["whole_board"],
            by=request.user,
        )
    except ValidationError as exc:
        return _page(request, board, meeting, status=409, error=" ".join(exc.messages))
    messages.success(request, f"Action {action.number} raised: {action.text} ({action.responsible_label()})")
    return redirect(back)
