"""Who must give a second factor before going further.

Staff, on every page (the admin too), when settings.TWO_FACTOR_FOR_STAFF (DEBUG off). Officers of
a board that requires it, before any of its editor pages: the one door (meetings.permissions)
raises TwoFactorRequired, and this middleware turns it into a visit to the set-up page (or to the
code page, when the user has an authenticator but this session gave no code).
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from meetings.permissions import TwoFactorRequired, is_verified

from . import services_two_factor as two_factor


def send_to_two_factor(request):
    user = request.user
    # Back where they were: the page itself, or for a form's post (which a redirect cannot repeat) the
    # page the form was on.
    back = request.get_full_path()
    if request.method not in ("GET", "HEAD"):
        referer = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
        back = urlsplit(referer)._replace(scheme="", netloc="").geturl() if referer and safe else "/"
    query = urlencode({"next": back})
    if two_factor.has_two_factor(user):
        return redirect(reverse("accounts:login-code") + "?" + query)
    # The set-up page says why (services_two_factor.required_because).
    return redirect(reverse("accounts:two-factor-setup") + "?" + query)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "two_factor_exempt", False):
            return None
        user = request.user
        if settings.TWO_FACTOR_FOR_STAFF and user.is_authenticated and user.is_staff and not is_verified(user):
            return send_to_two_factor(request)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, TwoFactorRequired) and request.user.is_authenticated:
            return send_to_two_factor(request)
        return None
