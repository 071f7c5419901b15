"""Two-factor login (django-otp): an authenticator app's six-digit codes, and ten recovery codes.

A user has at most one authenticator (a confirmed TOTPDevice) and one set of recovery codes (a
StaticDevice whose tokens are deleted as they are used). The secret is kept in the session while
it is being set up, so nothing is written until the user has proved, with a code, that their app
holds it.
"""

import re
import time
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from meetings.models import EDITOR_ROLES, Membership

RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"

CODE_WRONG = "That code is not right, or has been used already. Enter the code your app shows now."
CODE_WAIT = "Too many wrong codes in a row: wait a minute, then enter the code your app shows."


def new_secret() -> str:
    """A TOTP secret (hex), kept in the session until the user confirms it with a code."""
    return default_key()


def secret_text(secret: str) -> str:
    """The secret as an app asks to have it typed: base32, in groups of four."""
    text = b32encode(unhexlify(secret.encode())).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(*, user, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=secret).config_url


def has_two_factor(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def required_because(user) -> str:
    """Why this user may not go without two-factor login ("" when they may)."""
    if not user.is_authenticated:
        return ""
    if user.is_staff and settings.TWO_FACTOR_FOR_STAFF:
        return "Staff always use two-factor login."
    seat = (
        Membership.objects.current()
        .filter(person__user=user, role__in=EDITOR_ROLES, board__require_two_factor=True)
        .select_related("board")
        .order_by("board__name")
        .first()
    )
    if seat is not None:
        return f"{seat.board.name} asks its chair, vice chair and secretary to use two-factor login."
    return ""


def _check_code_shape(code: str) -> str:
    code = re.sub(r"[\s-]", "", code or "").lower()
    if not code:
        raise ValidationError(
            {"code": ValidationError("Enter the six-digit code from your app, or a recovery code.", code="empty")}
        )
    if len(code) > 16:
        raise ValidationError({"code": ValidationError(CODE_WRONG, code="wrong")})
    return code


@transaction.atomic
def two_factor_enable(*, user, secret: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor login on once the app shows a right code for `secret`; returns the new
    recovery codes (shown once: only the device keeps them)."""
    code = _check_code_shape(code)
    try:
        key = unhexlify(secret.encode())
    except (ValueError, TypeError):
        raise ValidationError("The set-up has expired: start again.", code="no_secret") from None
    device = TOTPDevice(user=user, name=APP_NAME, key=secret, confirmed=True)
    totp = TOTP(key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not code.isdigit() or not totp.verify(int(code), device.tolerance):
        raise ValidationError({"code": ValidationError(CODE_WRONG, code="wrong")})
    # The code that confirmed the app cannot also log in (django-otp refuses t <= last_t).
    device.last_t = totp.t()
    # The user's row, locked: two set-ups racing end with one authenticator.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("Two-factor login is already on.", code="already_on")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.save()
    return device, _new_recovery_codes(user)


def _new_recovery_codes(user) -> list[str]:
    static = StaticDevice.objects.create(user=user, name=CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def two_factor_verify(*, user, code: str) -> Device | None:
    """The device that accepts `code` (six digits: the app; anything else: a recovery code, used up),
    or None. Wrong codes in a row make the next try wait (django-otp's throttling): a try during
    the wait is refused with CODE_WAIT, even with a right code."""
    code = _check_code_shape(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        # Locked: two requests with the same code cannot both use it.
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise ValidationError({"code": ValidationError(CODE_WAIT, code="throttled")})
        if device.verify_token(code):
            return device
    return None


def two_factor_disable(*, user, code: str) -> None:
    """Turn two-factor login off, with a code from the app or a recovery code; refused for anyone
    who must use it."""
    if reason := required_because(user):
        raise ValidationError(f"{reason} It cannot be turned off.", code="required")
    if two_factor_verify(user=user, code=code) is None:
        raise ValidationError({"code": ValidationError(CODE_WRONG, code="wrong")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
