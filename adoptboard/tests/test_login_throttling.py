"""Login throttling behind a proxy: by username and client address, and by address across usernames."""

import pytest
from django.conf import settings

from conftest import make_person

PROXY = "10.0.0.2"  # every request reaches the app from the proxy
ATTACKER, CHAIR_HOME = "203.0.113.66", "198.51.100.7"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client, username, password, *, via, forwarded_for=None):
    """A login POST as it arrives from the proxy, which appends the address it saw (`via`)."""
    header = f"{forwarded_for}, {via}" if forwarded_for else via
    client.cookies.clear()
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=header,
    )


def test_an_attacker_cannot_lock_out_a_user_who_logs_in_from_elsewhere(client, chair):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "chairperson", "guess", via=ATTACKER)
    # The attacker's own tries are locked now, even with the right password...
    assert attempt(client, "chairperson", "pw-chairperson", via=ATTACKER).status_code == 429
    # ...but the chair, arriving through the same proxy from home, logs in.
    assert attempt(client, "chairperson", "pw-chairperson", via=CHAIR_HOME).status_code == 302


def test_addresses_the_client_writes_into_the_header_are_not_believed(client, chair):
    # The attacker claims the chair's address; the proxy appends the real one, which is what counts.
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "chairperson", "guess", via=ATTACKER, forwarded_for=CHAIR_HOME)
    assert attempt(client, "chairperson", "pw-chairperson", via=CHAIR_HOME).status_code == 302


def test_one_password_sprayed_across_usernames_is_throttled_by_address(client, db):
    users = [make_person(f"user{i}", f"User {i}", f"U{i}") for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT + 1)]
    codes = [attempt(client, u.username, "Summer2026!", via=ATTACKER).status_code for u in users]
    # Each username failed once only, yet the address is locked once it reached its limit.
    assert codes[: settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1] == [200] * (settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    assert attempt(client, "user0", "pw-user0", via=ATTACKER).status_code == 429
    # Somebody else, from another address, is not held up.
    assert attempt(client, "user0", "pw-user0", via=CHAIR_HOME).status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_a_spray(client, db):
    own = make_person("attacker", "A Ttacker", "AT")
    victims = [make_person(f"v{i}", f"Victim {i}", f"V{i}") for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)]
    for victim in victims[:-1]:
        attempt(client, victim.username, "guess", via=ATTACKER)
    assert attempt(client, own.username, "pw-attacker", via=ATTACKER).status_code == 302
    assert attempt(client, victims[-1].username, "guess", via=ATTACKER).status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(client, chair, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "chairperson", "guess", via=ATTACKER)
    # Everyone is the proxy's address now: the forwarded address changes nothing.
    assert attempt(client, "chairperson", "pw-chairperson", via=CHAIR_HOME).status_code == 429


def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(rf, settings):
    from adoptboard.throttling import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.66, 10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.66"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    # A header that is not an address: the proxy's address, never a 500.
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="unknown")) == "10.0.0.2"
