"""The meeting page writes each item's raise-action fields out by hand: the same as crispy draws them."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual

from actions.forms import RaiseActionForm
from actions.models import Action
from actions.selectors import people_known_to
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")


def fields_in(html: str, item) -> str:
    """What an item's raise-action <form> holds between its "This will be action" line and its button."""
    form = re.search(
        rf'<form method="post" action="[^"]*/items/{item.pk}/actions/#item-{item.pk}".*?</form>', html, re.S
    )
    return re.search(r"This will be action \d+\.</p>(.*)<button", form.group(0), re.S).group(1)


@pytest.fixture
def meeting(board):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 4, 10), start_time=datetime.time(14), end_time=datetime.time(15)
    )


def test_the_unbound_fields_are_what_crispy_draws(client, secretary, member, board, meeting):
    client.force_login(secretary)
    response = client.get(reverse("meetings:meeting-detail", args=[board.slug, meeting.pk]))
    assert response.status_code == 200
    html, items = response.content.decode(), response.context["items"]
    assert len(items) >= 2
    people_qs = people_known_to(board)
    for item in items:
        # the page builds no unbound form: the fields are written from the form's, the options once
        assert item.action_form is None
        form = RaiseActionForm(item=item, people_qs=people_qs, people=list(people_qs))
        assertHTMLEqual(fields_in(html, item), CRISPY.render(Context({"form": form})))
    # the board's people are offered, none chosen
    assert secretary.get_full_name() in fields_in(html, items[0]) and " selected" not in fields_in(html, items[0])


def test_a_refused_action_is_drawn_by_crispy_with_its_errors_and_values(client, secretary, board, meeting):
    client.force_login(secretary)
    item = meeting.items.first()
    prefix = f"action-{item.pk}"
    url = reverse("actions:item-raise-action", args=[board.slug, meeting.pk, item.pk])
    response = client.post(url, {f"{prefix}-text": "Write to the DfE <soon>"})
    assert response.status_code == 400 and not Action.objects.exists()
    html = response.content.decode()
    fields = fields_in(html, item)
    assert "Say who is responsible" in fields and "Write to the DfE &lt;soon&gt;</textarea>" in fields
    assertHTMLEqual(fields, CRISPY.render(Context({"form": response.context["items"][0].action_form})))
    # the other items' forms stay unbound and hand-written
    other = response.context["items"][1]
    assert other.action_form is None and "Say who is responsible" not in fields_in(html, other)
