"""The meeting page writes the attendance selects out by hand: the same as Django's widgets draw them."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual

from meetings.models import Attendance, AttendanceStatus
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db

# The cells as the widgets draw them, with the errors' id that their aria-describedby names.
WIDGETS = Template(
    """{% for f in fields %}<td><label class="visually-hidden" for="{{ f.id_for_label }}">{{ f.label }}</label>{{ f }}"""
    """{% if f.errors %}<div class="text-danger small" id="{{ f.auto_id }}_error">{{ f.errors|join:" " }}</div>"""
    """{% endif %}</td>{% endfor %}"""
)


def cells(html: str, att) -> str:
    return re.search(
        rf'<td><label class="visually-hidden" for="id_status-{att.pk}">.*?id="id_deputy-{att.pk}".*?</td>', html, re.S
    ).group(0)


def widget_cells(form, att) -> str:
    return WIDGETS.render(Context({"fields": [form[f"status-{att.pk}"], form[f"deputy-{att.pk}"]]}))


@pytest.fixture
def meeting(board, secretary, chair, member):
    return meeting_schedule(
        board=board, date=datetime.date(2030, 4, 10), start_time=datetime.time(14), end_time=datetime.time(15)
    )


def test_the_selects_are_what_the_widgets_draw_with_values_and_errors(client, secretary, board, meeting):
    atts = list(Attendance.objects.filter(meeting=meeting).order_by("pk"))
    assert len(atts) >= 3
    first, second, third = atts[:3]
    Attendance.objects.filter(pk=first.pk).update(status=AttendanceStatus.PRESENT, deputising_for_id=second.person_id)
    client.force_login(secretary)
    page = reverse("meetings:meeting-detail", args=[board.slug, meeting.pk])
    response = client.get(page)
    html, form = response.content.decode(), response.context["attendance_form"]
    for att in atts:
        assertHTMLEqual(cells(html, att), widget_cells(form, att))
    assert '<option value="present" selected>' in cells(html, first)
    assert f'<option value="{second.person_id}" selected>' in cells(html, first)

    data = {"fingerprint": form["fingerprint"].value()}
    for att in atts:
        data[f"status-{att.pk}"], data[f"deputy-{att.pk}"] = att.status, ""
    data[f"deputy-{second.pk}"] = second.person_id  # deputising for themselves
    data[f"status-{third.pk}"] = "<lost>"  # no such status
    response = client.post(reverse("meetings:meeting-attendance", args=[board.slug, meeting.pk]), data)
    assert response.status_code == 400
    html, form = response.content.decode(), response.context["attendance_form"]
    for att in atts:
        assertHTMLEqual(cells(html, att), widget_cells(form, att))
    assert "Nobody deputises for themselves" in cells(html, second) and 'aria-invalid="true"' in cells(html, second)
    assert (
        "Select a valid choice. &lt;lost&gt;" in cells(html, third)
        and " selected" not in cells(html, third).split("id_deputy")[0]
    )
