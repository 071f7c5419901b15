"""The Jinja2 environment for the few partials that draw many rows (templates/jinja2/).

Every page is a Django template on one base; a partial that repeats a row fifty to three hundred
times is drawn by Jinja2 instead (`{% jinja "..." %}`, adoptboard.templatetags.jinja), because
the Django template language spends most of such a page resolving variables: the action log's 50
rows took 6 ms, a fifth of the page. The filters here do what Django's do for these rows, without
the per-call lookups of the active language and format (the app speaks British English only).
"""

import datetime

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from crispy_forms.utils import render_crispy_form
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _local(value):
    # As Django's templates show a datetime: in the current time zone.
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _formatted(value, layout) -> str:
    # Nothing for no value, as Django's filters; datetimes in the current time zone first.
    return layout(_local(value)) if value else ""


def month_year(value) -> str:
    """Django's `date:"M Y"`: "Nov 2026"."""
    return _formatted(value, lambda v: f"{MONTHS[v.month]} {v.year}")


def day_month_year(value) -> str:
    """Django's `date:"j M Y"`: "5 Nov 2026"."""
    return _formatted(value, lambda v: f"{v.day} {MONTHS[v.month]} {v.year}")


def long_date(value) -> str:
    """Django's `date:"j F Y"`: "5 November 2026"."""
    return _formatted(value, lambda v: f"{v.day} {LONG_MONTHS[v.month]} {v.year}")


def hour_minute(value) -> str:
    """Django's `time:"H:i"`: "09:05", of a time or (in the current time zone) a datetime."""
    return _formatted(value, lambda v: f"{v.hour:02d}:{v.minute:02d}")


def truncatechars(value, length: int) -> str:
    """Django's `truncatechars`: at most `length` characters, the last an ellipsis when cut."""
    value = str(value)
    return value if len(value) <= length else value[: length - 1] + "…"


def url_for_each(name: str, *args):
    """`url(name, args=[*args, pk])` for many pks, reversed once: a function of the last pk.

    Reversing took a third of the meeting page's items partial, two links an item; the URL is
    reversed with a stand-in last argument, which the function replaces (adoptboard/tests/test_jinja).
    """
    head, tail = reverse(name, args=[*args, STAND_IN]).rsplit(str(STAND_IN), 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


STAND_IN = 987654321


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(
        linebreaksbr=linebreaksbr,
        month_year=month_year,
        day_month_year=day_month_year,
        truncatechars=truncatechars,
        long_date=long_date,
        hour_minute=hour_minute,
        # Forms that came back with errors are drawn by crispy, as on the Django templates' pages.
        as_crispy_field=as_crispy_field,
    )
    env.globals.update(url=reverse, url_for_each=url_for_each, crispy=render_crispy_form)
    return env
