"""AdoptBoard settings, read from the environment (see README's configuration table)."""

import os
import re
from collections.abc import Mapping
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def parse_bool(name: str, value: str) -> bool:
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envbool(name: str, default: str, env: Mapping[str, str] = os.environ) -> bool:
    return parse_bool(name, env.get(name, default))


def envint(
    name: str,
    default: str,
    env: Mapping[str, str] = os.environ,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer from the environment, refused at start-up when outside [minimum, maximum]."""
    value = env.get(name, default)
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {number}")
    return number


EMAIL_URL_OPTIONS = {"tls", "ssl", "timeout", "_server_email", "_default_from_email"}


def email_settings(env: Mapping[str, str] = os.environ) -> dict:
    """Django's EMAIL_* settings from EMAIL_URL, or from EMAIL_HOST and its companions; the console
    backend (messages printed where the server runs) when neither is set.

    dj-email-url reads the URL; what it would pass over in silence (an unknown scheme or option,
    a port that is no number, "tls=maybe") stops the app here with the variable named.
    """
    url, host = env.get("EMAIL_URL", "").strip(), env.get("EMAIL_HOST", "").strip()
    timeout = envint("EMAIL_TIMEOUT", "10", env, minimum=1)
    if url and host:
        raise ImproperlyConfigured("Set EMAIL_URL or EMAIL_HOST (with EMAIL_PORT and the rest), not both")
    if host:
        tls, ssl = envbool("EMAIL_USE_TLS", "0", env), envbool("EMAIL_USE_SSL", "0", env)
        if tls and ssl:
            raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
        port = envint("EMAIL_PORT", "465" if ssl else "587" if tls else "25", env, minimum=1)
        if port > 65535:
            raise ImproperlyConfigured(f"EMAIL_PORT must be a port number (1-65535), not {port}")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": host,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": env.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": env.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": tls,
            "EMAIL_USE_SSL": ssl,
            "EMAIL_TIMEOUT": timeout,
        }
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in dj_email_url.SCHEMES:
        known = ", ".join(f"{s}:" for s in dj_email_url.SCHEMES)
        raise ImproperlyConfigured(f"EMAIL_URL must start with one of {known} not {url.split(':')[0]!r}")
    options = parse_qs(parts.query, keep_blank_values=True)
    if set(options) - EMAIL_URL_OPTIONS:
        raise ImproperlyConfigured(
            f"EMAIL_URL has unknown options {sorted(set(options) - EMAIL_URL_OPTIONS)}; "
            f"known: {sorted(EMAIL_URL_OPTIONS)}"
        )
    for flag in ("tls", "ssl"):
        for value in options.get(flag, []):
            # dj-email-url's own spelling of true (1, yes, true, on...) and of false.
            if value not in dj_email_url.TRUTHY and value.strip().lower() not in FALSE:
                raise ImproperlyConfigured(f"EMAIL_URL's {flag}= must be 1 or 0 (true/false), not {value!r}")
    try:
        conf = dj_email_url.parse(url)
    except ValueError as exc:  # a port that is no number, or out of range; a timeout that is no number
        raise ImproperlyConfigured(f"EMAIL_URL cannot be read: {exc}") from None
    if parts.scheme == "file" and not conf["EMAIL_FILE_PATH"]:
        raise ImproperlyConfigured("EMAIL_URL file: needs a folder, e.g. file:///var/tmp/adoptboard-mail")
    conf["EMAIL_TIMEOUT"] = conf["EMAIL_TIMEOUT"] or timeout
    return {name: value for name, value in conf.items() if value is not None}


TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def tasks_settings(env: Mapping[str, str] = os.environ) -> dict:
    """Django's TASKS from TASKS_BACKEND: "immediate" (the default) runs a task inside the request
    that enqueues it, needing no other process (make run, tests); "database" queues it in the
    database for `manage.py db_worker` processes (production, README "Background work")."""
    name = env.get("TASKS_BACKEND", "immediate").strip().lower() or "immediate"
    if name not in TASK_BACKENDS:
        raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(TASK_BACKENDS)}, not {name!r}")
    return {"default": {"BACKEND": TASK_BACKENDS[name]}}


def site_url(env: Mapping[str, str] = os.environ) -> str:
    """The app's address as people reach it, without a trailing slash: email's links start with it."""
    url = env.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    if not re.fullmatch(r"https?://[^/\s]+(/[^\s]*)?", url):
        raise ImproperlyConfigured(f"SITE_URL must be the app's address, e.g. https://board.example.org, not {url!r}")
    return url


def retry_delays(env: Mapping[str, str] = os.environ) -> list[int]:
    """Seconds to wait before each retry of a message the mail server could not take for now."""
    value = env.get("EMAIL_RETRY_DELAYS", "60,300,1800,7200")
    try:
        delays = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        delays = []
    if not delays or min(delays) < 1:
        raise ImproperlyConfigured(
            f"EMAIL_RETRY_DELAYS must be seconds separated by commas, e.g. 60,300, not {value!r}"
        )
    return delays


def from_address(name: str, value: str) -> str:
    address = parseaddr(value)[1]
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ImproperlyConfigured(
            f'{name} must be an email address, e.g. "AdoptBoard <board@example.org>", not {value!r}'
        )
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "bootstrap",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    # The domain, in the order its dependencies run: actions build on meetings, documents on both.
    "meetings",
    "actions",
    "documents",
    # The project itself: its operations commands (backup, restore).
    "adoptboard",
    # Logins for the boards' people: invitations, password resets, the account page.
    "accounts",
    # The queue of background tasks when TASKS_BACKEND=database (its worker: manage.py db_worker).
    "django_tasks",
    "django_tasks_db",
    # Email: agendas, minutes, action reminders, sent in the background.
    "notifications",
    # Two-factor login (accounts.services_two_factor): an authenticator app's codes, recovery codes.
    # After the domain, so what names the tables of an installation (restore's refusal) names the boards first.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: an oversized body is refused before any middleware (CSRF, sessions) reads or spools it.
    "adoptboard.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Restarts a signed-in session's idle timer once a minute, not on every request.
    "adoptboard.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(): this session gave a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Staff without a second factor, and officers sent to set one up (accounts.middleware).
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the auth backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "adoptboard.urls"
WSGI_APPLICATION = "adoptboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "actions.context_processors.navigation",
            ],
        },
    },
    # The partials that draw many rows (the log's, the review's): `{% jinja "..." %}` in a page.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "adoptboard.jinja.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "60", minimum=0),
    )
}
# Choice lists are read with .iterator(), which on PostgreSQL opens a server-side cursor (DECLARE,
# FETCH, CLOSE) for a few dozen rows; nothing in the app streams results large enough to need one.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compiles a plan's expressions before running it: 874 ms of the review page's 980 ms
    # query at 50,000 actions, for queries that run in milliseconds without it. The app runs
    # short OLTP queries only, so its connections turn it off.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No page is cached. The cache holds only what needs no sharing between processes (django-axes
# keeps its records in the database).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "adoptboard"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "adoptboard.auth.PersonModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Links that let someone choose a password (an invitation, a reset) work for this many days, once.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_LINK_DAYS", "3", minimum=1) * 24 * 60 * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Papers and the documents the app keeps go to the default storage (adoptboard/storage.py):
# MEDIA_ROOT on this disk, or a private bucket in object storage when AWS_STORAGE_BUCKET_NAME is
# set. MEDIA_URL is served by nothing: files leave only through the app's access-checked views.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
_BUCKET_NAME = re.compile(r"(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REGION_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")


def storage_from_environ(environ, *, debug: bool) -> dict:
    """settings.STORAGES["default"] from the environment: this disk unless a bucket is named."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return {"BACKEND": "adoptboard.storage.LocalStorage"}
    if not _BUCKET_NAME.fullmatch(bucket):
        raise ImproperlyConfigured(
            f"AWS_STORAGE_BUCKET_NAME must be a bucket name (3-63 lower-case letters, digits, dots, hyphens), not {bucket!r}"
        )
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL must be the storage service's address, e.g. https://s3.example.org, not {endpoint!r}"
            )
        if parts.username or parts.password:
            raise ImproperlyConfigured(
                "AWS_S3_ENDPOINT_URL must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        if parts.scheme == "http" and not debug:
            raise ImproperlyConfigured(
                "AWS_S3_ENDPOINT_URL must use https when DEBUG is off: the papers are confidential"
            )
    region = environ.get("AWS_S3_REGION_NAME", "").strip()
    if region and not _REGION_NAME.fullmatch(region):
        raise ImproperlyConfigured(f"AWS_S3_REGION_NAME must be a region name like eu-west-2, not {region!r}")
    access_key = environ.get("AWS_ACCESS_KEY_ID", "").strip()
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither to use the server's role"
        )
    addressing = environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() or None
    if addressing not in (None, "auto", "path", "virtual"):
        raise ImproperlyConfigured(f"AWS_S3_ADDRESSING_STYLE must be auto, path or virtual, not {addressing!r}")
    return {
        "BACKEND": "adoptboard.storage_s3.ObjectStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "addressing_style": addressing,
            "signature_version": "s3v4",
            # No ACL header: objects take the bucket's own, private (and some services refuse ACLs).
            "default_acl": None,
            # The storage gives out no links (NoDirectLinks); were one ever made, it would be signed
            # and short-lived, and never on a public custom domain (which django-storages leaves unsigned).
            "querystring_auth": True,
            "querystring_expire": 60,
            "custom_domain": None,
            # Two papers of one name get two objects (a suffix), never one overwriting the other.
            "file_overwrite": False,
            # A download is read from the bucket into memory up to 5 MB, beyond into a temporary
            # file (as Django spools uploads), so a 20 MB paper does not stay in a worker's memory.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }


STORAGES = {
    "default": storage_from_environ(os.environ, debug=DEBUG),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Papers up to 20 MB. A request body larger than that plus the form around it (boundaries, title,
# CSRF token: a few kilobytes) is refused by adoptboard.middleware before anything reads it.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REQUEST_BODY_OVERHEAD_BYTES = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

FORM_RENDERER = "adoptboard.forms.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Sessions: HttpOnly cookies, idle expiry. The timer restarts when a signed-in session is used,
# saved at most once a minute (adoptboard.middleware.SessionIdleRefreshMiddleware), not on every
# request. Under a minute a session would expire while a person reads a page: a typo, not a policy.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", str(60 * 60 * 2), minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365), minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content Security Policy: the app's pages use no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Email: invitations, password resets (and, later, agendas and minutes). See README "Email".
globals().update(email_settings())
DEFAULT_FROM_EMAIL = from_address(
    "DEFAULT_FROM_EMAIL", os.environ.get("DEFAULT_FROM_EMAIL", "AdoptBoard <adoptboard@localhost>")
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Absolute links in email (no request to build them from): where people reach the app.
SITE_URL = site_url()

# Background work (django-tasks, the backport of Django 6's django.tasks). See README.
TASKS = tasks_settings()
EMAIL_RETRY_DELAYS = retry_delays()

# Login throttling (adoptboard.throttling). The client's address: REMOTE_ADDR, or behind
# TRUSTED_PROXY_COUNT proxies the address the outermost one saw (from X-Forwarded-For).
# Failures count per username AND address (5 lock that pair for an hour, answered with 429: a
# stranger elsewhere cannot lock the chair out) and per address across usernames (30 lock the
# address: one password tried on many names is throttled too).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0", minimum=0)
LOGIN_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5", minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", "30", minimum=1)
if LOGIN_ADDRESS_FAILURE_LIMIT <= LOGIN_FAILURE_LIMIT:
    raise ImproperlyConfigured("AXES_ADDRESS_FAILURE_LIMIT must be higher than AXES_FAILURE_LIMIT")
AXES_CLIENT_IP_CALLABLE = "adoptboard.throttling.client_ip"
AXES_FAILURE_LIMIT = "adoptboard.throttling.failure_limit"
AXES_HANDLER = "adoptboard.throttling.LoginThrottleHandler"
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "1")

# Two-factor login (README "Two-factor login"). Staff must give a code on every page, the admin
# too, whenever DEBUG is off; a board can ask the same of its chair, vice chair and secretary.
# (Read here, once: Django's test runner turns settings.DEBUG off whatever the environment says.)
TWO_FACTOR_FOR_STAFF = not DEBUG
OTP_TOTP_ISSUER = "AdoptBoard"
# Wrong codes in a row make the next try wait 1, 2, 4, 8... seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
