"""The registers the minutes feed: the board's decisions and declarations of interest, and the page
where the secretary records a meeting's declarations.

Members read the registers, drawn only from minutes they may see (circulated or approved; editors
see drafts too: Access.minutes_visible); editors record declarations. Downloads: documents.views.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from adoptboard.http import post_only

from . import selectors, services_registers
from .filters import DecisionFilter, InterestFilter
from .forms import DeclarationForm
from .models import Declaration, Meeting, Person
from .permissions import board_for_user

REGISTER_PAGE_SIZE = 50


def decision_filter(request, board) -> DecisionFilter:
    return DecisionFilter(request.GET, queryset=selectors.decision_register(board, board.access), board=board)


def interest_filter(request, board) -> InterestFilter:
    people = Person.objects.filter(declarations__meeting__board=board).distinct().order_by("full_name", "initials")
    return InterestFilter(
        request.GET, queryset=selectors.interest_register(board, board.access), board=board, people=people
    )


def _register(request, board, register, template: str):
    valid = register.is_valid()
    context = {
        "board": board,
        "filter": register,
        "page": Paginator(register.qs, REGISTER_PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, template, context, status=200 if valid else 400)


@require_safe
def decision_register(request, slug):
    board = board_for_user(request.user, slug)
    return _register(request, board, decision_filter(request, board), "meetings/decision_list.html")


@require_safe
def interest_register(request, slug):
    board = board_for_user(request.user, slug)
    return _register(request, board, interest_filter(request, board), "meetings/interest_list.html")


# --- A meeting's declarations of interest -----------------------------------------------------------


def _meeting_with_minutes(board, pk) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board=board, pk=pk)
    if not board.access.may_see_minutes(meeting):
        # Like the draft minutes: not there yet as far as a member can tell.
        raise Http404("No minutes for this meeting yet")
    return meeting


def _declarations_page(request, board, meeting, *, form=None, status=200):
    declarations = selectors.meeting_declarations(meeting)
    present = services_registers.declarants(meeting)
    declared = {d.person_id for d in declarations}
    context = {
        "board": board,
        "meeting": meeting,
        "declarations": declarations,
        "present": present,
        "undeclared": [p for p in present if p.pk not in declared],
        "editable": board.access.can_edit and not meeting.is_locked,
    }
    if context["editable"]:
        context["form"] = form or DeclarationForm(meeting=meeting, people=present)
    return render(request, "meetings/meeting_declarations.html", context, status=status)


def _back(slug, pk):
    return redirect(reverse("meetings:meeting-declarations", args=[slug, pk]))


def _refused(request, meeting):
    if meeting.is_locked:
        messages.error(request, "The minutes of this meeting are approved and locked: reopen them first.")
        return redirect(reverse("meetings:meeting-declarations", args=[meeting.board.slug, meeting.pk]))
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_declarations(request, slug, pk):
    """Read a meeting's declarations; editors record one here (POST)."""
    board = board_for_user(request.user, slug, edit=request.method == "POST")
    meeting = _meeting_with_minutes(board, pk)
    if request.method != "POST":
        return _declarations_page(request, board, meeting)
    if refused := _refused(request, meeting):
        return refused
    form = DeclarationForm(request.POST, meeting=meeting, people=services_registers.declarants(meeting))
    if form.is_valid():
        try:
            declaration = services_registers.declaration_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Interest declared by {declaration.person} recorded.")
            return _back(slug, pk)
    return _declarations_page(request, board, meeting, form=form, status=400)


@post_only("meetings:meeting-declarations", "slug", "pk")
def declarations_none(request, slug, pk):
    """ "None declared" for everyone present who has declared nothing."""
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting_with_minutes(board, pk)
    if refused := _refused(request, meeting):
        return refused
    try:
        created = services_registers.declarations_none(
            meeting=meeting, people=services_registers.declarants(meeting), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            names = ", ".join(str(d.person) for d in created)
            messages.success(request, f"None declared recorded for {names}.")
        else:
            messages.info(request, "Everyone present has a declaration recorded already.")
    return _back(slug, pk)


@post_only("meetings:meeting-declarations", "slug", "pk")
def declaration_remove(request, slug, pk, declaration_pk):
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting_with_minutes(board, pk)
    declaration = get_object_or_404(
        Declaration.objects.select_related("meeting", "person"), meeting=meeting, pk=declaration_pk
    )
    if refused := _refused(request, meeting):
        return refused
    try:
        services_registers.declaration_remove(declaration=declaration, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Declaration of {declaration.person} removed.")
    return _back(slug, pk)
