"""The action log at a meeting: raising an action while minuting an item, and the action-log review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse

from adoptboard.concurrency import StaleEdit
from adoptboard.http import post_only
from meetings.models import AgendaItem, Meeting
from meetings.permissions import board_for_user
from meetings.services import ensure_meeting_editable
from meetings.views import meeting_page

from . import selectors, services
from .forms import RaiseActionForm, ReviewForm


def _refused(request, meeting):
    """A redirect to the meeting with the refusal when its minutes are approved, else None."""
    try:
        ensure_meeting_editable(meeting)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(meeting)
    return None


@post_only("meetings:meeting-detail", "slug", "pk", anchor="item-{item_pk}")
def item_raise_action(request, slug, pk, item_pk):
    board = board_for_user(request.user, slug, edit=True)
    item = get_object_or_404(
        AgendaItem.objects.live().select_related("meeting__board"), meeting__board=board, meeting_id=pk, pk=item_pk
    )
    if refused := _refused(request, item.meeting):
        return refused
    form = RaiseActionForm(request.POST, item=item, people_qs=selectors.people_known_to(board))
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = services.action_raise(
                board=board,
                item=item,
                text=data["text"],
                responsible=list(data["responsible"]),
                whole_board=data["whole_board"],
                due_date=data["due_date"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Action {action.number} raised: {action.text}")
            return redirect(reverse("meetings:meeting-detail", args=[slug, pk]) + f"#item-{item.pk}")
    return meeting_page(request, slug, pk, status=400, bound={("action", item.pk): form})


def meeting_review(request, slug, pk):
    """The action-log review: the carry-forward set, one status and note each, saved in one submit."""
    board = board_for_user(request.user, slug, edit=request.method == "POST")
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board=board, pk=pk)
    actions = list(selectors.review_actions(meeting))
    status = 200
    if request.method == "POST":
        if refused := _refused(request, meeting):
            return refused
        form = ReviewForm(request.POST, actions=actions)
        status = 400
        if form.is_valid():
            try:
                updates = services.action_review_save(meeting=meeting, entries=form.entries(), by=request.user)
            except StaleEdit as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, f"Action log review saved: {len(updates)} update{pluralize(len(updates))} recorded."
                )
                return redirect("actions:meeting-review", slug=slug, pk=pk)
    else:
        form = ReviewForm(actions=actions)
    editable = board.access.can_edit and not meeting.is_locked
    return render(
        request,
        "actions/meeting_review.html",
        {
            "board": board,
            "meeting": meeting,
            "form": form,
            "actions": actions,
            "editable": editable,
            # The rows link to their action as the log's URL plus the number: one reverse, not 300.
            "log_url": reverse("actions:action-list", kwargs={"slug": board.slug}),
        },
        status=status,
    )
