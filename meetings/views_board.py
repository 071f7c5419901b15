"""A board's own pages: creating one (staff), its settings, and its people and their seats.

Like every page, each gets its board through meetings.permissions.board_for_user; writes call one
service and end in a redirect with a message, or re-render the page with the errors (400; 409 when
someone else saved first).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from adoptboard.concurrency import StaleEdit
from adoptboard.http import post_only

from . import selectors, services_board, services_people
from .forms_board import (
    BoardCreateForm,
    BoardSettingsForm,
    MemberAddForm,
    MembershipEndForm,
    MembershipForm,
    PersonForm,
    standing_item_formset,
)
from .models import Membership
from .permissions import board_for_user, require


def add_errors(form, exc: ValidationError) -> None:
    """A service's errors next to the fields the form has; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def refused(form, write) -> int | None:
    """Run a version-checked write; if it is refused, put the reason on the form and return the
    status to answer with (409 when someone else saved first, else 400)."""
    try:
        write()
    except StaleEdit as exc:
        form.add_error(None, exc)
        return 409
    except ValidationError as exc:
        add_errors(form, exc)
        return 400
    return None


# --- Creating a board (staff) ---------------------------------------------------------------------


def board_create(request):
    """Staff create an empty board here, then give it its people (the first secretary) and invite them."""
    require(request.user.is_staff, "Only staff create boards.")
    status = 200
    form = BoardCreateForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                board = services_board.board_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, f"Board “{board.name}” created. Add its secretary and members, and invite them to log in."
                )
                return redirect("meetings:board-people", slug=board.slug)
    return render(request, "meetings/board_create.html", {"form": form}, status=status)


# --- Settings -------------------------------------------------------------------------------------


def board_settings(request, slug):
    board = board_for_user(request.user, slug, edit=True)
    status = 200
    if request.method == "POST":
        form = BoardSettingsForm(request.POST, instance=board)
        formset = standing_item_formset(board, request.POST)
        status = 400
        if form.is_valid() and formset.is_valid():
            values = {name: form.cleaned_data[name] for name in BoardSettingsForm.Meta.fields}
            status = refused(
                form,
                lambda: services_board.board_settings_save(
                    board=board, expected_version=form.cleaned_data["version"], standing_items=formset.items(), **values
                ),
            )
            if status is None:
                messages.success(request, "Board settings saved.")
                return redirect("meetings:board-settings", slug=slug)
        board.refresh_from_db()
    else:
        form = BoardSettingsForm(instance=board)
        formset = standing_item_formset(board)
    return render(
        request, "meetings/board_settings.html", {"board": board, "form": form, "formset": formset}, status=status
    )


# --- People ---------------------------------------------------------------------------------------


def _people_page(request, slug, *, status=200, add_form=None):
    board = board_for_user(request.user, slug)
    context = {"board": board, **selectors.board_people_page(board)}
    if board.access.can_edit:
        pickable_qs = selectors.people_pickable(request.user, board)
        seated = {m.person_id for m in context["current"] + context["future"]}
        add_form = add_form or MemberAddForm(pickable=pickable_qs, initial={"since": timezone.localdate()})
        add_form.set_choices([p for p in pickable_qs if p.pk not in seated])
        context["add_form"] = add_form
    return render(request, "meetings/board_people.html", context, status=status)


@require_safe
def board_people(request, slug):
    return _people_page(request, slug)


@post_only("meetings:board-people", "slug")
def member_add(request, slug):
    board = board_for_user(request.user, slug, edit=True)
    form = MemberAddForm(request.POST, pickable=selectors.people_pickable(request.user, board))
    if form.is_valid():
        try:
            seat = services_people.member_add(board=board, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{seat.person} ({seat.person.initials}) added as {seat.get_role_display()}.")
            return redirect(reverse("meetings:board-people", args=[slug]) + f"#person-{seat.person_id}")
    return _people_page(request, slug, status=400, add_form=form)


def _person(board, pk):
    return get_object_or_404(selectors.board_people(board), pk=pk)


def _person_page(request, board, person, *, status=200, person_form=None, seat_forms=None, end_forms=None):
    seats = list(Membership.objects.filter(board=board, person=person).order_by("-since", "-pk"))
    seat_forms, end_forms = seat_forms or {}, end_forms or {}
    today = timezone.localdate()
    for seat in seats:
        seat.form = seat_forms.get(seat.pk) or MembershipForm(instance=seat)
        seat.is_current = (seat.since is None or seat.since <= today) and (seat.until is None or seat.until >= today)
        if seat.is_current:
            seat.end_form = end_forms.get(seat.pk) or MembershipEndForm(membership=seat, initial={"on": today})
    context = {
        "board": board,
        "person": person,
        "form": person_form or PersonForm(instance=person),
        "seats": seats,
        "has_current_seat": any(s.is_current for s in seats),
    }
    return render(request, "meetings/person_edit.html", context, status=status)


def person_edit(request, slug, person_pk):
    """A person's details (on every board they sit on) and their seats on this board."""
    board = board_for_user(request.user, slug, edit=True)
    person = _person(board, person_pk)
    if request.method != "POST":
        return _person_page(request, board, person)
    form = PersonForm(request.POST, instance=person)
    status = 400
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in services_people.PERSON_FIELDS}
        version = form.cleaned_data["version"]
        status = refused(form, lambda: services_people.person_update(person=person, expected_version=version, **values))
        if status is None:
            messages.success(request, f"{person} saved.")
            return redirect("meetings:person-edit", slug=slug, person_pk=person.pk)
    person.refresh_from_db()
    return _person_page(request, board, person, status=status, person_form=form)


def _seat(board, person_pk, seat_pk):
    return get_object_or_404(
        Membership.objects.select_related("person", "board"), board=board, person_id=person_pk, pk=seat_pk
    )


@post_only("meetings:person-edit", "slug", "person_pk")
def membership_edit(request, slug, person_pk, seat_pk):
    board = board_for_user(request.user, slug, edit=True)
    seat = _seat(board, person_pk, seat_pk)
    form = MembershipForm(request.POST, instance=seat)
    status = 400
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in services_people.MEMBERSHIP_FIELDS}
        version = form.cleaned_data["version"]
        status = refused(
            form,
            lambda: services_people.membership_update(
                membership=seat, expected_version=version, by=request.user, **values
            ),
        )
        if status is None:
            messages.success(request, f"{seat.person}'s seat saved.")
            return redirect("meetings:person-edit", slug=slug, person_pk=person_pk)
    seat.refresh_from_db()
    return _person_page(request, board, seat.person, status=status, seat_forms={seat.pk: form})


@post_only("meetings:person-edit", "slug", "person_pk")
def membership_end(request, slug, person_pk, seat_pk):
    board = board_for_user(request.user, slug, edit=True)
    seat = _seat(board, person_pk, seat_pk)
    form = MembershipEndForm(request.POST, membership=seat)
    if form.is_valid():
        try:
            services_people.membership_end(membership=seat, by=request.user, on=form.cleaned_data["on"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"{seat.person}'s seat ends on {seat.until:%-d %B %Y}. They stay in every record they appear in.",
            )
            return redirect("meetings:board-people", slug=slug)
    return _person_page(request, board, seat.person, status=400, end_forms={seat.pk: form})


@post_only("meetings:person-edit", "slug", "person_pk")
def guest_make_member(request, slug, person_pk):
    """A guest becomes a member in one step (a seat from today); the role can be changed after."""
    board = board_for_user(request.user, slug, edit=True)
    person = _person(board, person_pk)
    try:
        seat = services_people.guest_make_member(board=board, person=person, by=request.user)
    except ValidationError as exc:
        # Most often their initials clash with a member's: their page is where to change them.
        messages.error(request, " ".join(exc.messages))
        return redirect("meetings:person-edit", slug=slug, person_pk=person.pk)
    messages.success(request, f"{person} is now a member of the board (from {seat.since:%-d %B %Y}).")
    return redirect(reverse("meetings:board-people", args=[slug]) + f"#person-{person.pk}")
