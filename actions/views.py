"""The action log pages: the filtered log, one action with its history, my actions (downloads: documents)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from adoptboard.concurrency import StaleEdit
from adoptboard.http import post_only
from meetings.permissions import board_for_user

from . import selectors, services
from .filters import ONLY_OPEN, ActionFilter
from .forms import ActionEditForm, ActionUpdateForm
from .models import Action

LOG_PAGE_SIZE = 50


@require_safe
def action_list(request, slug):
    board = board_for_user(request.user, slug)
    log = ActionFilter(request.GET, queryset=selectors.action_log(board, annotated=False), board=board)
    valid = log.is_valid()
    # django-filter drops a value it cannot use and filters by the rest: an invalid filter
    # (a meeting or person unknown to the board, a malformed date) matches nothing rather
    # than showing the whole log as if it matched.
    actions = log.qs if valid else log.queryset.none()
    # The count, then the page: its slice of the ids, a subquery of the rows (selectors.log_rows).
    page = Paginator(actions.values_list("pk", flat=True), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "board": board,
        "filter": log,
        "log_url": reverse("actions:action-list", kwargs={"slug": board.slug}),
        "page": page,
        "rows": selectors.log_rows(page.object_list),
        "updated_at": selectors.log_updated_at(board),
        "only_open": ONLY_OPEN,
        "showing_only_open": sorted(request.GET.getlist("status")) == sorted(ONLY_OPEN),
    }
    return render(request, "actions/action_list.html", context, status=200 if valid else 400)


def _get_action(board, number) -> Action:
    return get_object_or_404(selectors.action_page(board), number=number)


def _detail(request, board, action, *, update_form=None, status=200):
    # A bound form comes back only to someone action_update_add has already let through.
    if update_form is None and board.access.may_update_action(action):
        update_form = ActionUpdateForm(action=action)
    context = {
        "board": board,
        "action": action,
        "history": selectors.action_history(action),
        "may_update": update_form is not None,
        "update_form": update_form,
    }
    return render(request, "actions/action_detail.html", context, status=status)


@require_safe
def action_detail(request, slug, number):
    board = board_for_user(request.user, slug)
    return _detail(request, board, _get_action(board, number))


@post_only("actions:action-detail", "slug", "number")
def action_update_add(request, slug, number):
    board = board_for_user(request.user, slug)
    action = _get_action(board, number)
    if not board.access.may_update_action(action):
        raise PermissionDenied("Only the people responsible for this action, or the board's editors, may update it.")
    form = ActionUpdateForm(request.POST, action=action)
    if form.is_valid():
        try:
            services.action_progress_add(
                action=action,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status_after"],
                note=form.cleaned_data["note"],
                status_note=form.cleaned_data["status_note"],
                meeting=form.cleaned_data["meeting"],
                by=request.user,
            )
        except StaleEdit as e:
            form.add_error(None, e)
            return _detail(request, board, action, update_form=form, status=409)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, f"Update added to action {action.number}.")
            return redirect(action)
    return _detail(request, board, action, update_form=form, status=400)


@require_http_methods(["GET", "POST"])
def action_edit(request, slug, number):
    board = board_for_user(request.user, slug, edit=True)
    action = _get_action(board, number)
    status = 200
    if request.method == "POST":
        form = ActionEditForm(request.POST, instance=action)
        if form.is_valid():
            try:
                services.action_edit(
                    action=action,
                    expected_version=form.cleaned_data["version"],
                    text=form.cleaned_data["text"],
                    responsible=form.cleaned_data["responsible"],
                    whole_board=form.cleaned_data["whole_board"],
                    due_date=form.cleaned_data["due_date"],
                    status_note=form.cleaned_data["status_note"],
                    by=request.user,
                )
            except StaleEdit as e:
                form.add_error(None, e)
                status = 409
            except ValidationError as e:
                form.add_error(None, e)
                status = 400
            else:
                messages.success(request, f"Action {action.number} saved.")
                return redirect(action)
        else:
            status = 400
    else:
        form = ActionEditForm(instance=action)
    return render(request, "actions/action_edit.html", {"board": board, "action": action, "form": form}, status=status)


@post_only("actions:action-detail", "slug", "number")
def action_remove(request, slug, number):
    board = board_for_user(request.user, slug, edit=True)
    action = _get_action(board, number)
    services.action_remove(action=action, by=request.user)
    messages.success(request, f"Action {action.number} was removed from the log. Its number will not be used again.")
    return redirect("actions:action-list", slug=board.slug)


@require_safe
def my_actions(request):
    actions = selectors.my_open_actions(request.user)
    return render(request, "actions/my_actions.html", {"actions": actions})
