"""One-time links that let someone choose a password."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """An invitation's link: Django's reset token under its own salt, so neither kind of link opens
    the other's page. It expires after PASSWORD_RESET_TIMEOUT and works once: it is signed over the
    password hash, which choosing a password changes (and over the email address and last login)."""

    key_salt = "accounts.tokens.InvitationTokenGenerator"


invitation_token = InvitationTokenGenerator()
