"""Bad input, at random, into every form of the app: never a 5xx, and a refusal writes nothing.

The forms are found by reading the pages an editor sees (every <form method=post> and its fields),
so a new form is fuzzed without touching this file.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.services import action_raise
from meetings.models import Meeting, Person
from meetings.services import meeting_schedule

SKIP_ACTIONS = ("/accounts/logout/",)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "files": set()}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            if a.get("type") == "file":
                self._form["files"].add(a["name"])
            else:
                self._form["fields"].setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_on(html: str, page: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    for f in parser.forms:
        f["action"] = f["action"] or page
    return [f for f in parser.forms if f["action"].startswith("/") and f["action"] not in SKIP_ACTIONS]


def row_counts() -> dict[str, int]:
    """Rows in every table of the app, history included: any write shows here."""
    return {
        m._meta.label: m.objects.count()
        for app in ("meetings", "actions", "auth")
        for m in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def editor_forms(client, demo_board, outsider, other_board):
    secretary = get_user_model().objects.get(username="secretary")
    client.force_login(secretary)
    # Someone else's ids, to post where our ids belong.
    theirs = meeting_schedule(
        board=other_board, date=datetime.date(2024, 5, 1), start_time=datetime.time(10), end_time=datetime.time(11)
    )
    their_action = action_raise(board=other_board, text="theirs", responsible=[outsider.person])
    feb = Meeting.objects.get(board=demo_board, date="2024-02-23")
    base = f"/boards/{demo_board.slug}"
    pages = [
        f"{base}/meetings/new/",
        f"{base}/meetings/{feb.pk}/",
        f"{base}/meetings/{feb.pk}/agenda/",
        f"{base}/meetings/{feb.pk}/review/",
        f"{base}/meetings/{feb.pk}/items/{feb.items.first().pk}/edit/",
        f"{base}/forward-plan/",
        f"{base}/actions/73/",
        f"{base}/actions/73/edit/",
        f"{base}/actions/import/",
        f"{base}/settings/",
        f"{base}/people/",
        f"{base}/people/{Person.objects.get(initials='LH').pk}/",
        "/account/password/",
    ]
    found = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for form in forms_on(response.content.decode(), page):
            found.setdefault(form["action"], form)
    foreign_ids = [theirs.pk, their_action.pk, theirs.items.first().pk, outsider.person.pk]
    return found, foreign_ids


WEIRD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "1e308",
            "NaN",
            "null",
            "2024-02-30",
            "25:61",
            "31/12/2024",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "😀" * 5,
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.builds(lambda n: "x" * n, st.sampled_from([301, 10_001, 200_000])),
)


@pytest.mark.django_db
def test_random_input_to_every_form_never_errors_and_refusals_write_nothing(client, editor_forms):
    forms, foreign_ids = editor_forms
    assert len(forms) >= 12, sorted(forms)  # the meeting cycle, action and import forms were all found

    @settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def fuzz(data):
        for action, form in sorted(forms.items()):
            payload = {}
            for name, value in form["fields"].items():
                if name == "csrfmiddlewaretoken":
                    continue
                choice = data.draw(st.sampled_from(["keep", "weird", "foreign", "drop"]), label=f"{action} {name}")
                if choice == "keep":
                    payload[name] = value
                elif choice == "weird":
                    payload[name] = data.draw(WEIRD_TEXT)
                elif choice == "foreign":
                    payload[name] = str(data.draw(st.sampled_from(foreign_ids)))
            for name in form["files"]:
                content = data.draw(
                    st.sampled_from([b"", b"\x89PNG\r\n\x1a\n" + b"0" * 64, b"PK\x03\x04junk", b"%PDF-1.4 tiny"])
                )
                filename = data.draw(
                    st.sampled_from(["a.pdf", "a.exe", "a.docx", "a.xlsx", "a.csv", "../../etc/passwd", "noext"])
                )
                payload[name] = SimpleUploadedFile(filename, content)
            # Each post is rolled back afterwards, so one form's success (approving the minutes,
            # say) does not turn every later post into a refusal.
            with transaction.atomic():
                before = row_counts()
                response = client.post(action, payload)
                assert response.status_code < 500, (action, payload)
                if response.status_code >= 400:
                    assert row_counts() == before, f"{action} refused with {response.status_code} but wrote rows"
                transaction.set_rollback(True)

    fuzz()


HUGE = "99999999999999999999"  # more than any BIGINT


def test_ids_no_row_can_have_are_404_or_form_errors_never_500(client, demo_board):
    import re

    from adoptboard.tests.test_shell import app_urls

    client.force_login(get_user_model().objects.get(username="secretary"))
    for route, _ in app_urls():
        if "<id:" not in route:
            continue
        path = "/" + re.sub(r"<slug:slug>", demo_board.slug, route)
        path = re.sub(r"<id:\w+>", HUGE, path)
        path = re.sub(r"<slug:kind>", "action", path)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code < 500, (method, path)
    base = f"/boards/{demo_board.slug}"
    for query in (f"responsible={HUGE}", f"meeting={HUGE}", "responsible=-1", "meeting=1e5"):
        assert client.get(f"{base}/actions/?{query}").status_code == 400, query
        assert client.get(f"{base}/actions/export.csv?{query}").status_code == 400, query
    assert client.get(f"{base}/meetings/new/?after={HUGE}").status_code == 200
