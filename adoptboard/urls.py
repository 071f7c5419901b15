from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path, reverse

from accounts.views_two_factor import LoginView, two_factor_exempt


@login_not_required
def admin_login(request, extra_context=None):
    """The admin logs in through the app's own login, so its second factor cannot be stepped round."""
    if request.user.is_authenticated:
        # Logged in, but not staff: the app's login would send them straight back here.
        raise PermissionDenied("The admin is for staff.")
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = admin_login


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link must not log anyone out); a GET of the address goes home, not to a 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return redirect(settings.LOGIN_REDIRECT_URL)


urlpatterns = [
    path("accounts/login/", two_factor_exempt(LoginView.as_view()), name="login"),
    path("accounts/logout/", two_factor_exempt(LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("meetings.urls")),
    path("", include("actions.urls")),
    path("", include("documents.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
]

# The app's own 500 page, and 503 when the database is out (adoptboard/errors.py).
handler500 = "adoptboard.errors.server_error"
