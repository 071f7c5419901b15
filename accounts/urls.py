from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_two_factor

app_name = "accounts"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/two-factor/", views_two_factor.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/recovery-codes/", views_two_factor.two_factor_codes, name="two-factor-codes"),
    path("account/two-factor/off/", views_two_factor.two_factor_disable, name="two-factor-disable"),
    # After the password, for a user with an authenticator (accounts.views_two_factor).
    path("accounts/login/code/", views_two_factor.login_code, name="login-code"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    # Answered the same whether or not the address belongs to anyone.
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("accounts/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("accounts/invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation-accept"),
    path("boards/<slug:slug>/people/<id:person_pk>/invite/", views.person_invite, name="person-invite"),
]
