"""Forms of the account pages: Django's password forms drawn the app's way (crispy)."""

from django import forms
from django.contrib.auth import forms as auth_forms

from adoptboard.forms import InlineFormHelper


class CrispyMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = InlineFormHelper()


class PasswordResetForm(CrispyMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(CrispyMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(CrispyMixin, auth_forms.PasswordChangeForm):
    pass


class InvitationForm(CrispyMixin, auth_forms.SetPasswordForm):
    """Choose the password of an invited login (the user may be None when the link is no good)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "The same password again"


class CodeForm(CrispyMixin, forms.Form):
    """A code from the authenticator app, or (except when setting the app up) a recovery code."""

    code = forms.CharField(max_length=40, strip=True)

    def __init__(self, *args, setup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = "The six-digit code your app shows" if setup else "Code from your authenticator app"
        if not setup:
            field.help_text = "Lost your phone? Enter one of your recovery codes instead."
        field.widget.attrs.update(autocomplete="one-time-code", inputmode="text" if not setup else "numeric")
