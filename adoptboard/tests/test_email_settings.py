"""Email settings from the environment: EMAIL_URL, or EMAIL_HOST and its companions; nonsense stops the app."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from adoptboard.settings import email_settings, from_address

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_the_console_backend_is_the_default():
    assert email_settings({}) == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_an_email_url_gives_the_smtp_settings():
    conf = email_settings({"EMAIL_URL": "smtp://board%40example.org:p%40ss@mail.example.org:587/?tls=1"})
    assert conf["EMAIL_BACKEND"] == SMTP
    assert (conf["EMAIL_HOST"], conf["EMAIL_PORT"]) == ("mail.example.org", 587)
    assert (conf["EMAIL_HOST_USER"], conf["EMAIL_HOST_PASSWORD"]) == ("board@example.org", "p@ss")
    assert conf["EMAIL_USE_TLS"] is True and conf["EMAIL_USE_SSL"] is False
    assert conf["EMAIL_TIMEOUT"] == 10
    assert email_settings({"EMAIL_URL": "console:"})["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings({"EMAIL_URL": "smtp://mail.example.org/?ssl=1&timeout=5"})["EMAIL_TIMEOUT"] == 5


def test_email_host_and_its_companions_give_the_smtp_settings():
    conf = email_settings(
        {
            "EMAIL_HOST": "mail.example.org",
            "EMAIL_HOST_USER": "board",
            "EMAIL_HOST_PASSWORD": "secret",
            "EMAIL_USE_TLS": "1",
        }
    )
    assert conf["EMAIL_BACKEND"] == SMTP and conf["EMAIL_PORT"] == 587 and conf["EMAIL_USE_TLS"] is True
    assert email_settings({"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "2525"})["EMAIL_PORT"] == 2525


@pytest.mark.parametrize(
    "env, says",
    [
        ({"EMAIL_URL": "pigeon://loft.example.org"}, "EMAIL_URL must start with one of"),
        ({"EMAIL_URL": "smtp://mail.example.org:port/"}, "EMAIL_URL cannot be read"),
        ({"EMAIL_URL": "smtp://mail.example.org:99999/"}, "EMAIL_URL cannot be read"),
        ({"EMAIL_URL": "smtp://mail.example.org/?tls=maybe"}, "tls= must be 1 or 0"),
        ({"EMAIL_URL": "smtp://mail.example.org/?starttls=1"}, "unknown options ['starttls']"),
        ({"EMAIL_URL": "smtp://mail.example.org/?timeout=soon"}, "EMAIL_URL cannot be read"),
        ({"EMAIL_URL": "file:"}, "file: needs a folder"),
        ({"EMAIL_URL": "console:", "EMAIL_HOST": "mail.example.org"}, "not both"),
        ({"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "70000"}, "EMAIL_PORT must be a port number"),
        ({"EMAIL_HOST": "mail.example.org", "EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS must be a boolean"),
        ({"EMAIL_HOST": "mail.example.org", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "cannot both be on"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT must be at least 1"),
    ],
)
def test_nonsense_stops_the_app_naming_the_variable(env, says):
    with pytest.raises(ImproperlyConfigured) as error:
        email_settings(env)
    assert says in str(error.value)


def test_the_from_address_must_be_an_address():
    assert from_address("DEFAULT_FROM_EMAIL", "Board <board@example.org>") == "Board <board@example.org>"
    for nonsense in ("AdoptBoard", "board@", "<@example.org>"):
        with pytest.raises(ImproperlyConfigured, match="DEFAULT_FROM_EMAIL must be an email address"):
            from_address("DEFAULT_FROM_EMAIL", nonsense)
