"""The meeting page writes each item's minutes fields out by hand: the same as crispy draws them."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual

from meetings.forms import MinutesForm
from meetings.models import AgendaItem
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_filters %}{{ form.notes|as_crispy_field }}{{ form.decisions|as_crispy_field }}")


def fields_in(html: str, item) -> str:
    return re.search(rf'<div id="minutes-{item.pk}"[^>]*>(.*?)<div class="d-flex', html, re.S).group(1)


def item_in(response, item):
    return next(i for i in response.context["items"] if i.pk == item.pk)


@pytest.fixture
def meeting(board):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 4, 10), start_time=datetime.time(14), end_time=datetime.time(15)
    )


def test_the_unbound_fields_are_what_crispy_draws_with_the_saved_text(client, secretary, board, meeting):
    item, empty = meeting.items.all()[:2]
    AgendaItem.objects.filter(pk=item.pk).update(notes='Agreed <b>"yes"</b> & more\nsecond line', decisions="One")
    client.force_login(secretary)
    response = client.get(reverse("meetings:meeting-detail", args=[board.slug, meeting.pk]))
    html = response.content.decode()
    for it in (item, empty):
        # the page builds no unbound form: the fields are written from the item's saved text
        assert item_in(response, it).minutes_form is None
        form = MinutesForm(instance=AgendaItem.objects.get(pk=it.pk))
        assertHTMLEqual(fields_in(html, it), CRISPY.render(Context({"form": form})))
    # escaped (Jinja2 writes a quote as &#34;, Django as &quot;: the same HTML), the newline kept
    assert "Agreed &lt;b&gt;&#34;yes&#34;&lt;/b&gt; &amp; more\nsecond line</textarea>" in fields_in(html, item)


def test_a_refused_save_is_drawn_by_crispy_with_what_was_typed(client, secretary, board, meeting):
    item = meeting.items.first()
    client.force_login(secretary)
    prefix = f"minutes-{item.pk}"
    url = reverse("meetings:item-minutes", args=[board.slug, meeting.pk, item.pk])
    data = {f"{prefix}-notes": "First", f"{prefix}-decisions": "", f"{prefix}-version": item.version}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, f"{prefix}-notes": "My late <text>"})  # the old version: stale
    assert response.status_code == 409
    html, form = response.content.decode(), item_in(response, item).minutes_form
    assert form.is_bound and "My late &lt;text&gt;" in fields_in(html, item)
    assertHTMLEqual(fields_in(html, item), CRISPY.render(Context({"form": form})))


def test_text_that_looks_like_a_fields_name_is_kept_as_typed(client, secretary, board, meeting):
    # The fields are written out by a macro given the item's prefix; the item's text is not touched by it.
    item = meeting.items.first()
    AgendaItem.objects.filter(pk=item.pk).update(notes="see minutes-0-notes", decisions="action-0-text")
    client.force_login(secretary)
    response = client.get(reverse("meetings:meeting-detail", args=[board.slug, meeting.pk]))
    fields = fields_in(response.content.decode(), item)
    assert "see minutes-0-notes</textarea>" in fields and "action-0-text</textarea>" in fields
    assertHTMLEqual(fields, CRISPY.render(Context({"form": MinutesForm(instance=AgendaItem.objects.get(pk=item.pk))})))
