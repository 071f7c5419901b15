"""The Jinja2 partials' filters write what Django's would (adoptboard.jinja)."""

import datetime

import pytest
from django.template import Context, Template, engines
from django.urls import reverse
from django.utils import timezone

from adoptboard import jinja

DJANGO = Template('{{ d|date:"M Y" }}|{{ d|date:"j M Y" }}|{{ s|truncatechars:n }}')


def django_says(d, s="", n=120):
    return DJANGO.render(Context({"d": d, "s": s, "n": n}))


def jinja_says(d, s="", n=120):
    return f"{jinja.month_year(d)}|{jinja.day_month_year(d)}|{jinja.truncatechars(s, n)}"


@pytest.mark.parametrize(
    "d",
    [
        datetime.date(2026, 1, 5),
        datetime.date(2026, 9, 30),
        datetime.date(9999, 12, 31),
        # 23:30 UTC on 31 May is 00:30 on 1 June in London: the page shows the local date.
        datetime.datetime(2026, 5, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC),
        None,
    ],
)
def test_dates_as_django_writes_them(d, settings):
    assert settings.TIME_ZONE == "Europe/London"
    with timezone.override("Europe/London"):
        assert jinja_says(d) == django_says(d)


@pytest.mark.parametrize("s,n", [("short", 120), ("x" * 120, 120), ("y" * 121, 120), ("Zoë " * 50, 20), ("", 5)])
def test_truncation_as_django_writes_it(s, n):
    assert jinja_says(None, s, n) == django_says(None, s, n)


def test_a_partial_escapes_what_it_draws():
    template = engines["jinja2"].from_string("{{ text }}|{{ text|linebreaksbr }}")
    assert template.render({"text": "<b>&\nnext"}) == "&lt;b&gt;&amp;\nnext|&lt;b&gt;&amp;<br>next"


LONG = Template('{{ d|date:"j F Y" }}|{{ d|time:"H:i" }}')


@pytest.mark.parametrize(
    "d",
    [
        datetime.date(2026, 1, 5),
        datetime.datetime(2026, 9, 30, 9, 5, tzinfo=datetime.UTC),
        # 23:30 UTC on 31 May is 00:30 on 1 June in London
        datetime.datetime(2026, 5, 31, 23, 30, tzinfo=datetime.UTC),
    ],
)
def test_long_dates_and_times_as_django_writes_them(d):
    with timezone.override("Europe/London"):
        mine = f"{jinja.long_date(d)}|{jinja.hour_minute(d) if isinstance(d, datetime.datetime) else ''}"
        assert mine == LONG.render(Context({"d": d}))
    assert jinja.hour_minute(datetime.time(0, 0)) == "00:00" and jinja.hour_minute(datetime.time(14, 7)) == "14:07"


@pytest.mark.parametrize("pk", [1, 42, 987654321, 10**12])
def test_url_for_each_is_reverse(pk):
    minutes = jinja.url_for_each("meetings:item-minutes", "my-board-987654321", 987654321)
    assert minutes(pk) == reverse("meetings:item-minutes", args=["my-board-987654321", 987654321, pk])
    action = jinja.url_for_each("actions:action-detail", "b")
    assert action(pk) == reverse("actions:action-detail", args=["b", pk])
