import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import Action, ActionUpdate, Responsibility, Status
from actions.services import action_progress_add
from meetings.models import Meeting, Person


def make_action(
    board,
    number,
    *,
    text="Write the report",
    status=Status.OPEN,
    people=(),
    whole_board=False,
    issued_on=datetime.date(2024, 2, 1),
    meeting=None,
    status_note="",
    updates=(),
):
    """An action as data, without the numbering service: tests set the numbers they mean."""
    action = Action.objects.create(
        board=board,
        number=number,
        text=text,
        status=status,
        whole_board=whole_board or not people,
        issued_on=issued_on,
        meeting=meeting,
        status_note=status_note,
    )
    for position, person in enumerate(people):
        Responsibility.objects.create(action=action, person=person, position=position)
    for note in updates:
        ActionUpdate.objects.create(
            action=action, note=note, status_before=status, status_after=status, created_at=timezone.now()
        )
    return action


def make_many(board, count, *, start=1, person=None, meeting=None):
    """`count` actions in a few bulk queries, each with a responsible person and an update."""
    actions = Action.objects.bulk_create(
        Action(
            board=board,
            number=n,
            text=f"Bulk action {n}",
            issued_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300),
            status=Status.values[n % 4],
            whole_board=person is None,
            meeting=meeting,
        )
        for n in range(start, start + count)
    )
    if actions[0].pk is None:  # databases that cannot return the new keys
        actions = list(Action.objects.filter(board=board, number__gte=start, number__lt=start + count))
    if person is not None:
        Responsibility.objects.bulk_create(Responsibility(action=a, person=person) for a in actions)
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            action=a,
            note=f"Progress on {a.number}",
            status_before="open",
            status_after=a.status,
            created_at=timezone.now(),
        )
        for a in actions
    )
    return actions


def person_of(user):
    return Person.objects.get(user=user)


def log_url(board, query=""):
    return reverse("actions:action-list", kwargs={"slug": board.slug}) + query


def numbers_on(response) -> list[int]:
    """The numbers the page shows, read from its HTML: the table may come from the cache, where
    the context's page is never read, so only the HTML proves what a reader sees."""
    return [int(n) for n in re.findall(r'<td><a href="[^"]+/actions/(\d+)/">\1</a></td>', response.content.decode())]


def test_it_shows_the_demo_log_newest_number_first_as_the_seed_writes_it(client, demo_board):
    client.force_login(Person.objects.get(user__username="member").user)
    response = client.get(log_url(demo_board))
    assert response.status_code == 200
    assert numbers_on(response) == list(range(76, 58, -1))
    html = response.content.decode()
    row_73 = re.search(r"<tr>\s*<td><a href=\"[^\"]+/actions/73/\">73</a>.*?</tr>", html, re.S).group(0)
    assert "KY" in row_73 and "Oct 2023" in row_73 and "Open" in row_73
    row_64 = re.search(r"<tr>\s*<td><a href=\"[^\"]+/actions/64/\">64</a>.*?</tr>", html, re.S).group(0)
    assert "Closed" in row_64 and "kinship care group" in row_64


def test_it_says_when_the_log_was_last_updated(client, board, member):
    a = make_action(board, 1)
    make_action(board, 2)
    Action.objects.filter(board=board).update(updated_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 12)))
    client.force_login(member)
    assert "This action log was updated on 1 March 2024." in client.get(log_url(board)).content.decode()
    # An update added today is a change to the log today.
    action_progress_add(action=a, expected_version=a.version, status="in_progress", note="Discussed")
    today = date_format(timezone.localdate(), "j F Y")
    assert f"This action log was updated on {today}." in client.get(log_url(board)).content.decode()


def test_it_shows_the_last_update_of_each_action(client, board, member):
    a = make_action(board, 1)
    for day, note in [(3, "First look"), (9, "Report drafted")]:
        ActionUpdate.objects.create(
            action=a,
            note=note,
            status_before="open",
            status_after="in_progress",
            created_at=timezone.make_aware(datetime.datetime(2024, 5, day, 10)),
        )
    client.force_login(member)
    html = client.get(log_url(board)).content.decode()
    assert "9 May 2024" in html and "Report drafted" in html and "First look" not in html


def test_it_filters_by_several_statuses(client, board, member):
    for n, status in enumerate(Status.values, start=1):
        make_action(board, n, status=status)
    client.force_login(member)
    response = client.get(log_url(board, "?status=open&status=complete"))
    assert numbers_on(response) == [3, 1]


def test_it_shows_only_open_actions_in_one_click(client, board, member):
    for n, status in enumerate(Status.values, start=1):
        make_action(board, n, status=status)
    client.force_login(member)
    html = client.get(log_url(board, "?q=report")).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="only-open"', html).group(1).replace("&amp;", "&")
    assert "q=report" in link
    response = client.get(log_url(board, link))
    assert numbers_on(response) == [2, 1]
    assert "Showing only open actions." in response.content.decode()


def test_it_filters_by_a_responsible_person_named_or_as_all(client, board, member, chair):
    mary, colin = person_of(member), person_of(chair)
    make_action(board, 1, people=[mary])
    make_action(board, 2, people=[colin])
    make_action(board, 3, whole_board=True)
    make_action(board, 4, people=[colin, mary])
    client.force_login(member)
    response = client.get(log_url(board, f"?responsible={mary.pk}"))
    assert numbers_on(response) == [4, 3, 1]


def test_it_filters_by_the_meeting_that_raised_it_and_by_dates(client, board, member):
    feb = Meeting.objects.create(
        board=board, date=datetime.date(2024, 2, 23), start_time=datetime.time(10), end_time=datetime.time(11)
    )
    make_action(board, 1, meeting=feb, issued_on=datetime.date(2024, 2, 23))
    make_action(board, 2, issued_on=datetime.date(2023, 10, 1))
    make_action(board, 3, issued_on=datetime.date(2024, 4, 17))
    client.force_login(member)
    assert numbers_on(client.get(log_url(board, f"?meeting={feb.pk}"))) == [1]
    assert numbers_on(client.get(log_url(board, "?issued_from=2024-01-01"))) == [3, 1]
    assert numbers_on(client.get(log_url(board, "?issued_from=2024-01-01&issued_to=2024-03-31"))) == [1]


def test_it_searches_the_text_status_note_and_updates(client, board, member):
    make_action(board, 1, text="Circulate the adoption panel report")
    make_action(board, 2, text="Invite the kinship lead", updates=["Panel dates agreed"])
    make_action(board, 3, text="Something else", status_note="moved to the panel subgroup")
    make_action(board, 4, text="Unrelated")
    client.force_login(member)
    assert numbers_on(client.get(log_url(board, "?q=panel"))) == [3, 2, 1]
    assert numbers_on(client.get(log_url(board, "?q=kinship+agreed"))) == [2]
    assert numbers_on(client.get(log_url(board, "?q=panel&status=open&issued_to=2024-12-31"))) == [3, 2, 1]


def test_it_uses_full_text_search_on_postgresql_and_a_plain_match_elsewhere(client, board, member):
    make_action(board, 1, text="Plans for contact")
    make_action(board, 2, text="Planning the training day")
    make_action(board, 3, text="Ask CAFCASS", updates=["Contacted the court"])
    make_action(board, 4, text="Plant a tree")
    client.force_login(member)
    found = numbers_on(client.get(log_url(board, "?q=planned")))
    if connection.vendor == "postgresql":
        # Stemming: "planned" finds "plans" and "planning" but not "plant"; "contacts" finds "contacted".
        assert found == [2, 1]
        assert numbers_on(client.get(log_url(board, "?q=contacts"))) == [3, 1]
        assert numbers_on(client.get(log_url(board, "?q=contact+-court"))) == [1]
    else:
        assert found == []
        assert numbers_on(client.get(log_url(board, "?q=plan"))) == [4, 2, 1]
        assert numbers_on(client.get(log_url(board, "?q=CONTACT"))) == [3, 1]


def test_it_pages_fifty_at_a_time_and_keeps_the_filters(client, board, member):
    make_many(board, 130)
    client.force_login(member)
    first = client.get(log_url(board))
    assert len(numbers_on(first)) == 50 and numbers_on(first)[0] == 130
    response = client.get(log_url(board, "?status=open&status=in_progress&page=1"))
    html = response.content.decode().replace("&amp;", "&")
    assert "65 actions match these filters, page 1 of 2." in " ".join(html.split())
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1)
    assert "status=open" in next_link and "status=in_progress" in next_link and "page=2" in next_link
    second = client.get(log_url(board, next_link))
    assert len(numbers_on(second)) == 15
    assert all(
        a.status in ("open", "in_progress") for a in Action.objects.filter(board=board, number__in=numbers_on(second))
    )
    export = re.search(r'href="([^"]+)" data-testid="export-csv"', html).group(1)
    assert "status=in_progress" in export and "page=" not in export


def test_it_refuses_bad_filters_with_400_and_the_errors(client, board, member):
    make_action(board, 1)
    client.force_login(member)
    response = client.get(log_url(board, "?issued_from=23/02/2024x&status=sleeping"))
    assert response.status_code == 400
    errors = response.context["filter"].errors
    assert "issued_from" in errors and "status" in errors
    assert "is-invalid" in response.content.decode()


def test_it_hides_removed_actions(client, board, member):
    make_action(board, 1)
    make_action(board, 2)
    Action.objects.filter(number=2).update(removed_at=timezone.now())
    client.force_login(member)
    assert numbers_on(client.get(log_url(board))) == [1]


def test_it_runs_the_same_queries_for_10_or_1000_actions(client, board, member, django_assert_num_queries):
    mary = person_of(member)
    meeting = Meeting.objects.create(
        board=board, date=datetime.date(2024, 2, 23), start_time=datetime.time(10), end_time=datetime.time(11)
    )
    make_many(board, 10, person=mary, meeting=meeting)
    client.force_login(member)
    query = f"?status=open&status=in_progress&responsible={mary.pk}&q=bulk&page=1"
    client.get(log_url(board))  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(log_url(board, query)).status_code == 200
    make_many(board, 990, start=11, person=mary, meeting=meeting)
    with django_assert_num_queries(len(few)):
        response = client.get(log_url(board, query))
    assert response.status_code == 200 and len(numbers_on(response)) == 50
    with CaptureQueriesContext(connection) as many_plain:
        client.get(log_url(board))
    assert len(many_plain) <= len(few)


def test_an_outsider_gets_404_on_the_log(client, board, outsider, member):
    make_action(board, 1)
    client.force_login(outsider)
    assert client.get(log_url(board)).status_code == 404
    assert client.get(log_url(board, "?q=x")).status_code == 404


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_it_works_in_a_browser_and_passes_axe(page, live_server, demo_board, screenshot):
    """A member on the demo board: filters, the one-click open list, action 73's page and update, my actions."""
    from playwright.sync_api import expect

    from adoptboard.tests.axe import assert_accessible

    def check(name):
        assert_accessible(page)
        screenshot(page, name)

    base = live_server.url
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "member")
    page.fill("input[name=password]", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/boards/{demo_board.slug}/actions/")
    expect(page.get_by_test_id("log-updated")).to_contain_text("This action log was updated on")
    check("action-log.png")
    page.get_by_test_id("only-open").click()
    expect(page.get_by_text("Showing only open actions.")).to_be_visible()
    assert "status=open" in page.url and "status=in_progress" in page.url
    page.get_by_label("Search").fill("kinship")
    page.get_by_role("button", name="Filter").click()
    assert "q=kinship" in page.url and "status=open" in page.url
    check("action-log-filtered.png")

    page.goto(f"{base}/boards/{demo_board.slug}/actions/73/")
    expect(page.get_by_role("heading", name="Action 73")).to_be_visible()
    page.locator("select[name=status_after]").select_option("in_progress")
    page.get_by_label("Progress note").fill("Spoke to the data team")
    page.get_by_role("button", name="Add update").click()
    expect(page.locator(".alert-success")).to_contain_text("Update added to action 73")
    expect(page.get_by_text("Open → In progress")).to_be_visible()
    check("action-detail.png")

    page.goto(f"{base}/my/actions/")
    expect(page.get_by_role("heading", name="My open actions")).to_be_visible()
    check("my-actions.png")


def test_search_follows_an_update_s_note_as_it_is_added_and_changed(client, board, secretary, staff):
    """On PostgreSQL the search reads a stored document kept by triggers: it must follow every write."""
    action = make_action(board, 1, text="Write the report")
    client.force_login(staff)
    found = lambda q: numbers_on(client.get(log_url(board, f"?q={q}")))  # noqa: E731
    assert found("kinship") == []
    update = action_progress_add(
        action=action, expected_version=action.version, status="open", note="Kinship care figures in"
    )
    assert found("kinship") == [1]
    changed = client.post(
        reverse("admin:actions_actionupdate_change", args=[update.pk]),
        {
            "action": action.pk,
            "status_before": "open",
            "status_after": "open",
            "note": "Sibling groups figures in",
            "created_at_0": "2030-01-11",
            "created_at_1": "10:00",
        },
    )
    assert changed.status_code == 302
    assert found("kinship") == [] and found("sibling") == [1]
    # An action's updates are its history: the admin corrects them but never deletes them.
    deleted = client.post(reverse("admin:actions_actionupdate_delete", args=[update.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    assert found("sibling") == [1] and found("report") == [1]


def test_an_invalid_filter_value_matches_nothing_and_the_right_rows_once_it_becomes_valid(
    client, board, other_board, member
):
    """No table is stored anywhere: a value the filter cannot use yet (a person the board does
    not know, a meeting not on it) shows 0 matches and the error, never the whole log; the moment
    the value becomes valid, the next request shows the true rows."""
    for n in (1, 2, 3):
        make_action(board, n, people=[person_of(member)])
    newcomer = Person.objects.create(full_name="Nia Newcomer", initials="NN")
    client.force_login(member)
    url = log_url(board, f"?responsible={newcomer.pk}")
    for _ in range(2):  # asked twice: the second answer is no more a stored copy than the first
        response = client.get(url)
        assert response.status_code == 400
        html = response.content.decode()
        assert "0 actions match these filters" in html and numbers_on(response) == []
        assert "Select a valid choice" in html
    make_action(board, 4, people=[newcomer])  # named on an action: now a person the board knows
    response = client.get(url)
    assert response.status_code == 200
    assert "1 action matches these filters" in response.content.decode()
    assert numbers_on(response) == [4]
    # The same for a meeting: while it is another board's, 0 matches; once it is this board's, its actions.
    moved = Meeting.objects.create(
        board=other_board, date=datetime.date(2024, 5, 1), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    meeting_url = log_url(board, f"?meeting={moved.pk}")
    response = client.get(meeting_url)
    assert response.status_code == 400 and numbers_on(response) == []
    Meeting.objects.filter(pk=moved.pk).update(board=board)
    Action.objects.filter(board=board, number=2).update(meeting=moved)
    response = client.get(meeting_url)
    assert response.status_code == 200 and numbers_on(response) == [2]


def test_each_page_shows_its_own_rows_with_their_people(client, board, member):
    # The page's ids are a subquery of the rows' query (selectors.log_rows), filters included.
    mary = person_of(member)
    make_many(board, 240, person=mary)
    client.force_login(member)
    assert numbers_on(client.get(log_url(board))) == list(range(240, 190, -1))
    assert numbers_on(client.get(log_url(board, "?page=5"))) == list(range(40, 0, -1))
    opened = [n for n in range(240, 0, -1) if Status.values[n % 4] == Status.OPEN]
    response = client.get(log_url(board, "?status=open&page=2"))
    assert len(opened) == 60 and numbers_on(response) == opened[50:]
    assert response.content.decode().count(f"<td>{mary.initials}</td>") == 10
