"""Forms of the account pages: Django's password forms drawn the app's way (crispy)."""

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
