from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from adoptboard.forms import LoginForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("meetings.urls")),
    path("", include("actions.urls")),
    path("", include("documents.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
]

# The app's own 500 page, and 503 when the database is out (adoptboard/errors.py).
handler500 = "adoptboard.errors.server_error"
