"""Account pages: one's own account and password, invitations sent and accepted.

Password resets are Django's own views (accounts/urls.py) with the app's templates.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from adoptboard.http import post_only
from meetings import selectors as meeting_selectors
from meetings.permissions import board_for_user

from . import selectors, services, services_two_factor
from .forms import CodeForm, InvitationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm


@require_safe
def account(request):
    """Who the user is, the boards they sit on (and in which role), their password, their email
    reminders (the template's tag) and two-factor login."""
    return account_page(request)


def account_page(request, *, disable_form=None, status: int = 200):
    user = request.user
    two_factor_on = services_two_factor.has_two_factor(user)
    context = {
        "seats": selectors.account_seats(user),
        "two_factor_on": two_factor_on,
        "two_factor_required": services_two_factor.required_because(user),
        "recovery_codes_left": services_two_factor.recovery_codes_left(user) if two_factor_on else 0,
        "disable_form": disable_form or CodeForm(),
    }
    return render(request, "accounts/account.html", context, status=status)


class BadInputIs400:
    """Django's form views answer a form with errors with 200; the app answers bad input with 400."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordChangeView(BadInputIs400, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Password changed. Your other sessions are logged out.")
        return response


class PasswordResetView(BadInputIs400, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetConfirmView(BadInputIs400, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def render_to_response(self, context, **kwargs):
        # A link expired, used or made up: the page says so, with a 400.
        if not context.get("validlink"):
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


@post_only("meetings:person-edit", "slug", "person_pk")
def person_invite(request, slug, person_pk):
    board = board_for_user(request.user, slug, edit=True)
    person = get_object_or_404(meeting_selectors.board_people(board), pk=person_pk)
    try:
        services.person_invite(board=board, person=person, by=request.user, base_url=request.build_absolute_uri("/"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("meetings:person-edit", slug=slug, person_pk=person.pk)
    messages.success(request, f"Invitation sent to {person.email}: the link lets {person} choose a password.")
    return redirect(reverse("meetings:board-people", args=[slug]) + f"#person-{person.pk}")


@login_not_required
@sensitive_post_parameters()
@never_cache
def invitation_accept(request, uidb64, token):
    """The invitation's link: choose a password, and be logged in. A link expired or used is refused
    with the reason, on the page (400), and changes nothing."""
    user = services.invited_user(uidb64, token)
    if user is None:
        return render(request, "accounts/invitation_accept.html", {"invalid": services.LINK_INVALID}, status=400)
    form = InvitationForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                login(request, user, backend="adoptboard.auth.PersonModelBackend")
                messages.success(request, "Welcome to AdoptBoard: your password is set and you are logged in.")
                return redirect("meetings:dashboard")
        return render(request, "accounts/invitation_accept.html", {"form": form, "invited": user}, status=400)
    return render(request, "accounts/invitation_accept.html", {"form": form, "invited": user})
