"""Logins for a board's people: an invitation by email, and accepting it by choosing a password."""

import smtplib

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from adoptboard.concurrency import save_if_unchanged
from meetings.models import Board, Person
from meetings.permissions import access_for, require

from .tokens import invitation_token

User = get_user_model()

LINK_INVALID = (
    "This invitation link has expired or has already been used. Ask your board's secretary to send a new "
    "invitation, or, if you have already chosen a password, log in or reset it."
)


def invitation_link(user, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:invitation-accept", kwargs={"uidb64": uid, "token": invitation_token.make_token(user)})
    return base_url.rstrip("/") + path


def _create_login(person: Person):
    username = person.email.lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            f"A login named {username} already exists but belongs to no person: ask staff to link it, or use "
            "another address.",
            code="login_exists",
        )
    first_name, _, last_name = person.full_name.rpartition(" ")
    user = User(username=username, email=person.email, first_name=first_name[:150], last_name=last_name[:150])
    # No password until the person chooses one from the link: nobody can log in as them before.
    user.set_unusable_password()
    user.save()
    person.user = user
    save_if_unchanged(person, expected_version=person.version, fields=["user"])
    return user


def _send_invitation(*, user, person: Person, board: Board, by, base_url: str) -> None:
    from django.conf import settings

    context = {
        "person": person,
        "board": board,
        "by": getattr(by, "person", None) or by.get_full_name() or by.get_username(),
        "link": invitation_link(user, base_url),
        "login_url": base_url.rstrip("/") + reverse("login"),
        "username": user.get_username(),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    }
    subject = " ".join(render_to_string("accounts/invitation_subject.txt", context).split())
    body = render_to_string("accounts/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [person.email])
    except (smtplib.SMTPException, OSError) as exc:
        raise ValidationError(
            f"The invitation could not be sent ({exc}). Nothing was changed: try again later, or ask staff to "
            "check the email settings.",
            code="not_sent",
        ) from exc


@transaction.atomic
def person_invite(*, board: Board, person: Person, by, base_url: str):
    """Give a board's person a login (username: their email) and email them a one-time link to
    choose its password. Inviting again sends a fresh link; the earlier one keeps working until it
    expires or a password is chosen."""
    require(access_for(by, board).can_edit)
    # Only the person's row is locked ("of"): PostgreSQL locks no row on the nullable side of a join.
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if not person.email:
        raise ValidationError(f"Add {person}'s email address first: the invitation goes there.", code="no_email")
    if person.user is not None and person.user.has_usable_password():
        raise ValidationError(
            f"{person} already has a login ({person.user.get_username()}). A forgotten password is reset from "
            "the login page.",
            code="has_login",
        )
    user = person.user or _create_login(person)
    if not user.is_active:
        raise ValidationError(f"{person}'s login is switched off: ask staff.", code="inactive")
    # Sent last, inside the transaction: if the mail server refuses, no login is left behind.
    _send_invitation(user=user, person=person, board=board, by=by, base_url=base_url)
    return user


def invited_user(uidb64: str, token: str):
    """The user an invitation link is for, or None when the link is broken, expired or used."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
        user = User.objects.get(pk=pk)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if invitation_token.check_token(user, token) else None


@transaction.atomic
def invitation_accept(*, uidb64: str, token: str, password: str) -> AbstractBaseUser:
    """Set the password an invited person chose; the link is spent (the token signs the old hash).

    The link is checked again under the user's row lock, so two tabs submitting the same link
    cannot both set a password.
    """
    user = invited_user(uidb64, token)
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
        if not invitation_token.check_token(user, token):
            user = None
    if user is None:
        raise ValidationError(LINK_INVALID, code="link_invalid")
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
