"""The action-log review: the carry-forward set, one submit for the whole list, and constant query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertHTMLEqual

from actions.models import Action, ActionUpdate, Responsibility, Status
from actions.selectors import review_actions
from actions.services import action_progress_add, action_raise
from meetings.models import AgendaItem, MeetingStatus, Person
from meetings.services import meeting_schedule

pytestmark = pytest.mark.django_db


def schedule(board, month):
    return meeting_schedule(
        board=board, date=datetime.date(2030, month, 10), start_time=datetime.time(14), end_time=datetime.time(15)
    )


@pytest.fixture
def person(secretary):
    return Person.objects.get(user=secretary)


@pytest.fixture
def meetings(board, secretary, member):
    return schedule(board, 1), schedule(board, 4), schedule(board, 7)


def raise_before(board, person, text, issued=datetime.date(2029, 12, 1), **kw):
    return action_raise(board=board, text=text, responsible=[person], issued_on=issued, **kw)


def review_url(meeting):
    return reverse("actions:meeting-review", kwargs={"slug": meeting.board.slug, "pk": meeting.pk})


def numbers(meeting):
    return {a.number for a in review_actions(meeting)}


def test_it_reviews_open_actions_raised_before_and_those_raised_at_the_meeting(board, person, meetings):
    jan, apr, jul = meetings
    still_open = raise_before(board, person, "open")
    in_progress = raise_before(board, person, "in progress", status=Status.IN_PROGRESS)
    raise_before(board, person, "already closed", status=Status.CLOSED)
    raised_here = action_raise(
        board=board, text="raised at April", responsible=[person], meeting=apr, status=Status.COMPLETE
    )
    raise_before(board, person, "raised after April", issued=datetime.date(2030, 5, 1))
    assert numbers(apr) == {still_open.number, in_progress.number, raised_here.number}


def test_it_reads_open_when_the_meeting_began_from_the_update_history(board, person, meetings, secretary):
    jan, apr, jul = meetings
    closed_at_jan = raise_before(board, person, "closed in January")
    action_progress_add(
        action=closed_at_jan, expected_version=closed_at_jan.version, status=Status.CLOSED, meeting=jan, by=secretary
    )
    closed_at_apr = raise_before(board, person, "closed in April")
    action_progress_add(
        action=closed_at_apr, expected_version=closed_at_apr.version, status=Status.CLOSED, meeting=apr, by=secretary
    )
    open_one = raise_before(board, person, "still open")
    assert numbers(apr) == {closed_at_apr.number, open_one.number}  # closed at April: still on April's list
    assert numbers(jul) == {open_one.number}  # ... and gone from July's


def test_it_saves_the_whole_review_in_one_submit(client, secretary, board, person, meetings):
    jan, apr, jul = meetings
    a, b, c = (raise_before(board, person, t) for t in ("one", "two", "three"))
    client.force_login(secretary)
    data = {}
    for action, status, note in [(a, "closed", "Done in March"), (b, "open", "Discussed"), (c, "open", "")]:
        data.update({f"status-{action.pk}": status, f"note-{action.pk}": note, f"version-{action.pk}": action.version})
    response = client.post(review_url(apr), data)
    assert response.status_code == 302
    assert "2 updates recorded" in client.get(review_url(apr)).content.decode()
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.status, a.status_note) == (Status.CLOSED, "Done in March")
    update = ActionUpdate.objects.get(action=a)
    assert (update.meeting, update.status_before, update.status_after, update.created_by) == (
        apr,
        "open",
        "closed",
        secretary,
    )
    assert ActionUpdate.objects.filter(action=b, note="Discussed", status_after="open").exists()
    assert not ActionUpdate.objects.filter(action=c).exists()  # unchanged and no note: nothing to record
    assert numbers(jul) == {b.number, c.number}


def test_it_refuses_a_stale_review_without_writing_anything(client, secretary, board, person, meetings):
    jan, apr, jul = meetings
    a, b = raise_before(board, person, "one"), raise_before(board, person, "two")
    client.force_login(secretary)
    data = {
        f"status-{a.pk}": "closed",
        f"note-{a.pk}": "",
        f"version-{a.pk}": a.version,
        f"status-{b.pk}": "closed",
        f"note-{b.pk}": "",
        f"version-{b.pk}": b.version,
    }
    action_progress_add(
        action=b, expected_version=b.version, status=Status.IN_PROGRESS, note="owner's update"
    )  # someone else, meanwhile
    response = client.post(review_url(apr), data)
    assert response.status_code == 409 and "Someone else saved this" in response.content.decode()
    a.refresh_from_db()
    assert a.status == Status.OPEN and ActionUpdate.objects.filter(action=a).count() == 0


def test_it_refuses_a_bad_status_and_a_locked_meeting(client, secretary, board, person, meetings):
    jan, apr, jul = meetings
    a = raise_before(board, person, "one")
    client.force_login(secretary)
    data = {f"status-{a.pk}": "lost", f"note-{a.pk}": "", f"version-{a.pk}": a.version}
    response = client.post(review_url(apr), data)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    apr.status = MeetingStatus.APPROVED
    apr.save()
    data[f"status-{a.pk}"] = "closed"
    response = client.post(review_url(apr), data, follow=True)
    assert "approved and locked" in response.content.decode()
    a.refresh_from_db()
    assert a.status == Status.OPEN


# --- The hand-written rows: the same fields the widgets would draw ----------------------------------

# The row as Django's widgets draw it (the page's before it wrote its fields out by hand, with the
# errors' id that the widgets' aria-describedby names).
WIDGET_ROW = Template(
    """<td>{{ version }}<label class="visually-hidden" for="{{ status.id_for_label }}">{{ status.label }}</label>{{ status }}"""
    """{% if status.errors %}<div class="text-danger small" id="{{ status.auto_id }}_error">{{ status.errors|join:" " }}</div>{% endif %}</td>"""
    """<td><label class="visually-hidden" for="{{ note.id_for_label }}">{{ note.label }}</label>{{ note }}"""
    """{% if note.errors %}<div class="text-danger small" id="{{ note.auto_id }}_error">{{ note.errors|join:" " }}</div>{% endif %}</td>"""
)


def field_cells(html: str, number: int) -> str:
    row = re.search(rf'<tr id="action-{number}".*?</tr>', html, re.S).group(0)
    return "".join(re.findall(r"<td>(?:<input|<label).*?</td>", row, re.S))


def widget_cells(form, action) -> str:
    bound = {k: form[f"{k}-{action.pk}"] for k in ("status", "note", "version")}
    return WIDGET_ROW.render(Context(bound))


def test_its_hand_written_fields_match_the_widgets_with_values_and_errors(client, secretary, board, person, meetings):
    jan, apr, jul = meetings
    a = raise_before(board, person, "one")
    b = raise_before(board, person, "two", status=Status.IN_PROGRESS)
    c = raise_before(board, person, "three")
    client.force_login(secretary)
    response = client.get(review_url(apr))
    html, form = response.content.decode(), response.context["form"]
    for action in (a, b, c):
        assertHTMLEqual(field_cells(html, action.number), widget_cells(form, action))
    assert '<option value="in_progress" selected>' in field_cells(html, b.number)
    data = {
        # a bad status and an over-long note: each error under its field, the field aria-invalid
        f"status-{a.pk}": "lost",
        f"note-{a.pk}": "x" * 301,
        f"version-{a.pk}": a.version,
        # posted values shown again, escaped
        f"status-{b.pk}": "complete",
        f"note-{b.pk}": 'said "yes" & <b>left</b>',
        f"version-{b.pk}": "7",
        # nothing posted for c
    }
    response = client.post(review_url(apr), data)
    assert response.status_code == 400
    html, form = response.content.decode(), response.context["form"]
    for action in (a, b, c):
        assertHTMLEqual(field_cells(html, action.number), widget_cells(form, action))
    cells = field_cells(html, a.number)
    assert cells.count('aria-invalid="true"') == 2 and "Select a valid choice" in cells and "at most 300" in cells
    # Jinja2 writes a quote as &#34; where Django writes &quot;: the same attribute value.
    assert 'value="said &#34;yes&#34; &amp; &lt;b&gt;left&lt;/b&gt;"' in field_cells(html, b.number)


def test_its_page_is_drawn_without_making_the_fields(client, secretary, member, board, person, meetings):
    # The rows are written from the actions (ReviewForm.rows); making 900 fields only to leave
    # them unused was a sixth of the page. A POST validates with them as before (tests above).
    jan, apr, jul = meetings
    raise_before(board, person, "one")
    for user in (secretary, member):
        client.force_login(user)
        response = client.get(review_url(apr))
        assert response.status_code == 200 and "one" in response.content.decode()
        form = response.context["form"]
        assert "fields" not in vars(form)
        assert len(form.fields) == 3  # made on first use


# --- Query counts: the same with few or many rows ---------------------------------------------------


def populate(board, meeting, person, other, *, actions: int, items: int, start_number: int):
    """Open actions raised before the meeting (some with history) and items, written in bulk for speed."""
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=100 + i, title=f"Item {i}", duration_minutes=5) for i in range(items)
    )
    item = meeting.items.order_by("pk").first()
    created = Action.objects.bulk_create(
        Action(
            board=board,
            number=start_number + i,
            text=f"Action {i}",
            issued_on=datetime.date(2029, 1, 1),
            # Every third is raised at this meeting, on an item: the meeting page lists those.
            meeting=meeting if i % 3 == 0 else None,
            agenda_item=item if i % 3 == 0 else None,
        )
        for i in range(actions)
    )
    Responsibility.objects.bulk_create(
        [Responsibility(action=a, person=person, position=0) for a in created]
        + [Responsibility(action=a, person=other, position=1) for a in created[::2]]
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            action=a, note="noted", status_before="open", status_after="in_progress", created_at=timezone.now()
        )
        for a in created[::4]
    )
    return created


@pytest.fixture
def page_setup(client, secretary, member, board, meetings):
    client.force_login(secretary)
    jan, apr, jul = meetings
    person = Person.objects.get(user=secretary)
    other = Person.objects.get(user=member)
    return client, apr, person, other


@pytest.mark.parametrize("name", ["meeting-detail", "meeting-review", "meeting-agenda"])
def test_it_runs_the_same_queries_for_5_or_300_actions_and_3_or_30_items(
    page_setup, board, name, django_assert_num_queries
):
    client, apr, person, other = page_setup
    app = "actions" if name == "meeting-review" else "meetings"
    page = reverse(f"{app}:{name}", kwargs={"slug": board.slug, "pk": apr.pk})
    # The scheduled meeting has 5 standing items; the small set has 3 more... trimmed to 3 in all.
    apr.items.filter(position__gt=3).delete()
    populate(board, apr, person, other, actions=5, items=0, start_number=1)
    client.get(page)  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = client.get(page)
    assert response.status_code == 200
    populate(board, apr, person, other, actions=295, items=27, start_number=6)
    assert apr.items.count() == 30 and Action.objects.filter(board=board).count() == 300
    with django_assert_num_queries(len(small)):
        response = client.get(page)
    assert response.status_code == 200
    if name == "meeting-review":
        assert len(response.context["actions"]) == 300


def test_it_saves_a_review_of_300_actions_in_at_most_20_queries(page_setup, board, django_assert_max_num_queries):
    client, apr, person, other = page_setup
    actions = populate(board, apr, person, other, actions=300, items=0, start_number=1)
    data = {}
    for a in actions:
        data.update({f"status-{a.pk}": "closed", f"note-{a.pk}": f"Closed {a.number}", f"version-{a.pk}": 1})
    client.get(review_url(apr))
    # 17 on both databases (SQLite's real parameter limit is set in meetings/apps.py).
    with django_assert_max_num_queries(20):
        response = client.post(review_url(apr), data)
    assert response.status_code == 302
    assert ActionUpdate.objects.filter(meeting=apr, status_after="closed").count() == 300
    assert Action.objects.filter(board=board, status="closed").count() == 300
