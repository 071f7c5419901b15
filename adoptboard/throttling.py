"""Login throttling with django-axes that works behind a proxy.

Behind a proxy every request arrives from the proxy's address, so axes would count everyone's
failures together (five strangers' typos lock the chair out) unless it reads the client's address
from X-Forwarded-For. That header is the client's to write, except for the entries the proxies
append, so only the entry written by the outermost trusted proxy is believed (`client_ip`).

Failures count twice (settings.AXES_LOCKOUT_PARAMETERS): per username and address, and per
address across usernames. axes compares the larger count with one limit; `failure_limit` makes
that limit the per-pair one once the pair reached it, else the higher per-address one.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_ip(request) -> str:
    """The address of the client (AXES_CLIENT_IP_CALLABLE).

    With N trusted proxies, each appends the address it received the request from to
    X-Forwarded-For, and the last proxy's own address is REMOTE_ADDR: the client is the N-th
    address from the right of "X-Forwarded-For entries + REMOTE_ADDR". Anything left of it may
    be forged by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = forwarded + [remote]
    candidate = chain[-(proxies + 1)] if len(chain) > proxies else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A proxy that writes something else (a name, "unknown"): the proxy's address, as before.
        return remote


def _pair_failures(request, credentials) -> int:
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    return (
        AccessAttempt.objects.filter(
            username=username, ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(n=Sum("failures_since_start"))["n"]
        or 0
    )


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the per-pair limit once this username and address reached it, else the
    per-address limit (axes compares it with the larger of the pair's and the address's count)."""
    if _pair_failures(request, credentials) >= settings.LOGIN_FAILURE_LIMIT:
        return settings.LOGIN_FAILURE_LIMIT
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, except that a successful login clears only its own failures.

    axes would clear every count the login matches, the address's included: an attacker holding
    one account could then reset their spray across other usernames by logging in to it.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
