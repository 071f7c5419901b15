"""Two-factor login: the code asked after the password, setting it up from the account page, and
turning it off. The rules are in services_two_factor; who must use it in accounts.middleware.

After a right password, a user with an authenticator is not logged in yet: the session holds who
they are for a few minutes (PENDING) and the code page logs them in once a code is right. A
session that was logged in some other way (before two-factor was turned on) gives its code on the
same page.
"""

import time

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login

from adoptboard.forms import LoginForm
from adoptboard.http import post_only
from meetings.permissions import is_verified

from . import services_two_factor as two_factor
from .forms import CodeForm
from .views import account_page

PENDING = "two_factor_pending"
PENDING_SECONDS = 5 * 60
# Wrong codes after one right password: then the password again.
PENDING_TRIES = 5
SETUP_SECRET = "two_factor_secret"
NEW_CODES = "two_factor_new_codes"


def two_factor_exempt(view):
    """Pages a user who still owes a second factor may reach (accounts.middleware)."""
    view.two_factor_exempt = True
    return view


def _safe_next(request, url: str | None, default: str = "/") -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default


class LoginView(auth_views.LoginView):
    """The password; then, for a user with an authenticator, the code page."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        # Not logged in yet: a new session key holds who gave the right password, for a few minutes.
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": self.get_success_url(),
            "tries": 0,
        }
        return redirect("accounts:login-code")


def _pending_user(request):
    """(user, pending) of the code page: the password just given, or this session's own login."""
    pending = request.session.get(PENDING)
    if pending and time.time() - pending["since"] < PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        return user, pending
    request.session.pop(PENDING, None)
    user = request.user
    if user.is_authenticated and not is_verified(user) and two_factor.has_two_factor(user):
        return user, None
    return None, None


@two_factor_exempt
@login_not_required
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    user, pending = _pending_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(_safe_next(request, request.GET.get("next")))
        return render(request, "registration/login_code.html", {"expired": True}, status=400)
    next_url = pending["next"] if pending else _safe_next(request, request.GET.get("next"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, "registration/login_code.html", {"form": form, "next": next_url})
    device = None
    if form.is_valid():
        try:
            device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if device is None:
                form.add_error("code", two_factor.CODE_WRONG)
    if device is None:
        if pending:
            pending["tries"] += 1
            request.session[PENDING] = pending
            if pending["tries"] >= PENDING_TRIES:
                del request.session[PENDING]
                messages.error(request, "Too many wrong codes: log in again.")
                return redirect("login")
        return render(request, "registration/login_code.html", {"form": form, "next": next_url}, status=400)
    if pending:
        del request.session[PENDING]
        login(request, user, backend=pending["backend"])
    else:
        request.session.cycle_key()
    otp_login(request, device)
    if device.name == two_factor.CODES_NAME:
        left = two_factor.recovery_codes_left(user)
        messages.warning(
            request,
            f"You logged in with a recovery code; {left} left. Each works once: if you have lost your app, "
            "turn two-factor login off and on again on your account page to link a new one.",
        )
    return redirect(next_url)


def _qr_svg(url: str) -> str:
    """The otpauth link as an inline SVG (no image request, nothing for the CSP to allow)."""
    return segno.make(url, error="m").svg_inline(scale=4, light="white", title="QR code for your authenticator app")


@two_factor_exempt
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show the secret (QR code and text) and confirm it with a code; then the recovery codes."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("accounts:account"))
    if two_factor.has_two_factor(user):
        if not is_verified(user):
            return redirect(reverse("accounts:login-code") + "?next=" + next_url)
        messages.info(request, "Two-factor login is already on.")
        return redirect("accounts:account")
    secret = request.session.get(SETUP_SECRET) or two_factor.new_secret()
    request.session[SETUP_SECRET] = secret
    form = CodeForm(request.POST if request.method == "POST" else None, setup=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device, codes = two_factor.two_factor_enable(user=user, secret=secret, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                del request.session[SETUP_SECRET]
                request.session.cycle_key()
                otp_login(request, device)
                request.session[NEW_CODES] = {"codes": codes, "next": next_url}
                return redirect("accounts:two-factor-codes")
        status = 400
    url = two_factor.config_url(user=user, secret=secret)
    context = {
        "form": form,
        "qr_svg": _qr_svg(url),
        "secret_text": two_factor.secret_text(secret),
        "required": two_factor.required_because(user),
        "next": next_url,
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@two_factor_exempt
@never_cache
@require_safe
def two_factor_codes(request):
    """The recovery codes, once: a reload shows them no more."""
    new = request.session.pop(NEW_CODES, None)
    if not new:
        messages.info(request, "Recovery codes are shown once, when two-factor login is turned on.")
        return redirect("accounts:account")
    return render(request, "accounts/two_factor_codes.html", {"codes": new["codes"], "next": new["next"]})


@sensitive_post_parameters()
@post_only("accounts:account")
def two_factor_disable(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.cycle_key()
            messages.success(request, "Two-factor login is off: your password alone logs you in.")
            return redirect("accounts:account")
    # Back to the account page, the form's errors next to its field.
    return account_page(request, disable_form=form, status=400)
