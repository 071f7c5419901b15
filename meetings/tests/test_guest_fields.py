"""The meeting page writes the add-a-guest fields out by hand: the same as crispy draws them."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual

from meetings.models import Attendance
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")


def fields_in(html: str) -> str:
    form = re.search(r'<form method="post" action="[^"]*/guests/#attendance".*?</form>', html, re.S).group(0)
    return re.search(r'name="csrfmiddlewaretoken" value="[^"]*">(.*)<button', form, re.S).group(1)


@pytest.fixture
def meeting(board, secretary, member):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 4, 10), start_time=datetime.time(14), end_time=datetime.time(15)
    )


def test_the_unbound_fields_are_what_crispy_draws(client, secretary, member, board, meeting):
    client.force_login(secretary)
    response = client.get(reverse("meetings:meeting-detail", args=[board.slug, meeting.pk]))
    assert response.status_code == 200
    html, form = response.content.decode(), response.context["guest_form"]
    assert not form.is_bound
    assertHTMLEqual(fields_in(html), CRISPY.render(Context({"form": form})))
    # the board's people offered, the blank chosen; "present" chosen
    fields = fields_in(html)
    assert member.person.full_name in fields and '<option value="" selected>' in fields
    assert '<option value="present" selected>' in fields


def test_a_refused_guest_is_drawn_by_crispy_with_its_errors_and_values(client, secretary, board, meeting):
    client.force_login(secretary)
    before = Attendance.objects.filter(meeting=meeting).count()
    url = reverse("meetings:meeting-guest-add", args=[board.slug, meeting.pk])
    response = client.post(url, {"organisation": "Ofsted <North>", "status": "apologies"})
    assert response.status_code == 400 and Attendance.objects.filter(meeting=meeting).count() == before
    html, form = response.content.decode(), response.context["guest_form"]
    fields = fields_in(html)
    assert form.is_bound and "give the new guest" in fields and 'value="Ofsted &lt;North&gt;"' in fields
    assert '<option value="apologies" selected>' in fields
    assertHTMLEqual(fields, CRISPY.render(Context({"form": form})))
