"""One permission matrix: every URL of the app × every role × GET and POST → the status code.

The URL list comes from the resolver, so a new view without a row here fails this test.
Each request runs in a transaction that is rolled back, so one role's POST never changes what the
next role sees.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from actions.models import Action
from adoptboard.tests.test_shell import app_urls
from conftest import make_person
from documents.models import ExportStatus, LogExport, MinutesExport, MinutesKind
from meetings.models import Declaration, Meeting, Membership, MinutesVersion, Paper, Person, Role

# "future" holds a secretary's seat on the board that starts tomorrow, "former" a chair's seat
# that ended yesterday: neither is on the board today, so the board does not exist for them (404).
ROLES = ["anonymous", "member", "outsider", "future", "former", "secretary", "chair", "staff"]

# Expected codes per role, in ROLES order. "login" = redirect to the login page.
READ = ("login", 200, 404, 404, 404, 200, 200, 200)  # anyone on the board
EDIT_PAGE = ("login", 403, 404, 404, 404, 200, 200, 200)  # an editor's form page
NOT_ALLOWED = ("login", 405, 405, 405, 405, 405, 405, 405)  # method refused before anything else
# A GET of a POST-only address (a reload after a form's errors) goes to the page the form is on:
# decided from the address alone, before any lookup, so it tells nobody anything.
TO_PAGE = ("login", 302, 302, 302, 302, 302, 302, 302)


def write(editor_code):
    """A POST-only change: members 403, outsiders 404, editors get `editor_code` for an empty form."""
    return ("login", 403, 404, 404, 404, editor_code, editor_code, editor_code)


REQUESTER = ("login", 200, 404, 404, 404, 404, 404, 404)  # the member's own request, nobody else's
MY_PAGE = ("login", 200, 200, 200, 200, 200, 200, 200)  # about the user, on no board in particular


def public(code):
    """A page for people who cannot log in (yet): the same answer for everyone."""
    return (code,) * len(ROLES)


STAFF_ONLY = ("login", 403, 403, 403, 403, 403, 403, 200)

# route name -> (GET row, POST row). POSTs carry no data: editors see the form's errors (400), or a
# change that needs no data happens (302).
MATRIX = {
    # public and account pages
    "login": ((200, 302, 302, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302, 302, 302)),
    "logout": (TO_PAGE, ("login",) * 8),
    "account": (MY_PAGE, NOT_ALLOWED),
    "password-change": (MY_PAGE, ("login", 400, 400, 400, 400, 400, 400, 400)),
    # Two-factor login: set-up (an empty code: 400), the recovery codes (shown once, right after the
    # set-up: otherwise back to the account page), turning it off (an empty code: 400).
    "two-factor-setup": (MY_PAGE, ("login", 400, 400, 400, 400, 400, 400, 400)),
    "two-factor-codes": (("login", 302, 302, 302, 302, 302, 302, 302), NOT_ALLOWED),
    "two-factor-disable": (TO_PAGE, ("login", 400, 400, 400, 400, 400, 400, 400)),
    # The code after the password: without a password just given it has nothing to ask (400), and
    # sends a logged-in user on.
    "login-code": ((400, 302, 302, 302, 302, 302, 302, 302), (400, 302, 302, 302, 302, 302, 302, 302)),
    # Password resets and invitations: for people who cannot log in. The sample link is no good (400).
    "password-reset": (public(200), public(400)),
    "password-reset-done": (public(200), public(405)),
    "password-reset-confirm": (public(400), public(400)),
    "password-reset-complete": (public(200), public(405)),
    "invitation-accept": (public(400), public(400)),
    # One's own reminder choice (a login with no person is told so): a change and a redirect.
    "reminders-choice": (TO_PAGE, ("login", 302, 302, 302, 302, 302, 302, 302)),
    # Sending the agenda: editors preview it (GET) and send it (POST, then back to the meeting).
    "agenda-send": (EDIT_PAGE, write(302)),
    "board-create": (STAFF_ONLY, ("login", 403, 403, 403, 403, 403, 403, 400)),
    # what every member may read
    "dashboard": (MY_PAGE, NOT_ALLOWED),
    "my-actions": (MY_PAGE, NOT_ALLOWED),
    "board-detail": (READ, NOT_ALLOWED),
    # calendar apps fetch the feed with a signed link instead of a session (tested in test_documents)
    "board-calendar": (READ, (405,) * 8),
    "board-people": (READ, NOT_ALLOWED),
    "meeting-detail": (READ, NOT_ALLOWED),
    "meeting-agenda": (READ, NOT_ALLOWED),
    "meeting-agenda-pdf": (READ, NOT_ALLOWED),
    # the pack holds a broken paper here ("annex-a.pdf" is not a whole PDF): listed, never a 500
    "meeting-pack-pdf": (READ, NOT_ALLOWED),
    "meeting-minutes-pdf": (READ, NOT_ALLOWED),
    "meeting-minutes-docx": (READ, NOT_ALLOWED),
    # every approved version of the minutes (the Feb meeting has one, frozen before a reopening)
    "meeting-minutes-version-pdf": (READ, NOT_ALLOWED),
    "meeting-minutes-version-docx": (READ, NOT_ALLOWED),
    "paper-download": (READ, NOT_ALLOWED),
    "forward-plan": (READ, NOT_ALLOWED),
    "action-list": (READ, NOT_ALLOWED),
    "action-detail": (READ, NOT_ALLOWED),
    "action-export-csv": (READ, NOT_ALLOWED),
    "action-export-xlsx": (READ, NOT_ALLOWED),
    "action-export-pdf": (READ, NOT_ALLOWED),
    # a long log's PDF made in the background: the member asked for it, so it is theirs alone
    "action-export-status": (REQUESTER, NOT_ALLOWED),
    "action-export-file": (REQUESTER, NOT_ALLOWED),
    # long draft minutes made in the background: the same (the Feb minutes are circulated, so the
    # member who asked may still read them)
    "meeting-minutes-export-status": (REQUESTER, NOT_ALLOWED),
    "meeting-minutes-export-file": (REQUESTER, NOT_ALLOWED),
    # the action's owner (the member login is Kevin Yong, responsible for action 73) may add an update
    "action-update-add": (TO_PAGE, ("login", 400, 404, 404, 404, 400, 400, 400)),
    # editors' pages: a form on GET, errors for an empty POST
    "meeting-schedule": (EDIT_PAGE, write(400)),
    "meeting-edit": (EDIT_PAGE, write(400)),
    "meeting-review": (READ, write(400)),
    "item-edit": (EDIT_PAGE, write(400)),
    "action-edit": (EDIT_PAGE, write(400)),
    "action-import": (EDIT_PAGE, write(400)),
    "object-history": (EDIT_PAGE, NOT_ALLOWED),
    "board-history": (EDIT_PAGE, NOT_ALLOWED),
    "board-settings": (EDIT_PAGE, write(400)),
    "person-edit": (EDIT_PAGE, write(400)),
    # editors' POST-only changes (a GET goes to the page the form is on)
    "meeting-attendance": (TO_PAGE, write(400)),
    "meeting-guest-add": (TO_PAGE, write(400)),
    "item-add": (TO_PAGE, write(400)),
    "item-minutes": (TO_PAGE, write(400)),
    "item-raise-action": (TO_PAGE, write(400)),
    "paper-add": (TO_PAGE, write(400)),
    "topic-add": (TO_PAGE, write(400)),
    "topic-schedule": (TO_PAGE, write(400)),
    "action-import-confirm": (TO_PAGE, write(400)),
    "member-add": (TO_PAGE, write(400)),
    "membership-edit": (TO_PAGE, write(400)),
    "membership-end": (TO_PAGE, write(400)),
    # Lorna Hunt is a member already, and has no email to be invited at: a message and a redirect.
    "guest-make-member": (TO_PAGE, write(302)),
    "person-invite": (TO_PAGE, write(302)),
    "item-move": (TO_PAGE, write(302)),
    "item-remove": (TO_PAGE, write(302)),
    "item-defer": (TO_PAGE, write(302)),
    # a confirmation page; a POST without its confirmation approves nothing (400)
    "meeting-approve": (EDIT_PAGE, write(400)),
    # the demo's Feb minutes are already circulated: editors are told so (a message and a redirect)
    "meeting-circulate": (TO_PAGE, write(302)),
    "action-remove": (TO_PAGE, write(302)),
    # action 73 is on the log: there is no removed action of that id to restore (404)
    "object-restore": (TO_PAGE, write(404)),
    # the Feb meeting is not approved: there is nothing to reopen
    "meeting-reopen": (TO_PAGE, write(400)),
    # the registers the minutes feed (rows from minutes the user may see), and their downloads
    "decision-register": (READ, NOT_ALLOWED),
    "interest-register": (READ, NOT_ALLOWED),
    "decision-export-csv": (READ, NOT_ALLOWED),
    "interest-export-csv": (READ, NOT_ALLOWED),
    # the Feb minutes are circulated: members read its declarations; editors record them
    "meeting-declarations": (READ, write(400)),
    "declarations-none": (TO_PAGE, write(302)),
    "declaration-remove": (TO_PAGE, write(302)),
    # "Action:" lines of draft minutes: editors only; an empty POST names no line (400)
    "meeting-action-lines": (EDIT_PAGE, write(400)),
}


def url_names():
    for route, pattern in app_urls():
        yield pattern.name, route


@pytest.fixture
def world(demo_board, outsider):
    User = get_user_model()
    today = timezone.localdate()
    future = make_person("future", "Fay Future", "FF")
    Membership.objects.create(
        board=demo_board, person=future.person, role=Role.SECRETARY, since=today + datetime.timedelta(days=1)
    )
    former = make_person("former", "Fred Former", "FrF")
    Membership.objects.create(
        board=demo_board,
        person=former.person,
        role=Role.CHAIR,
        since=today - datetime.timedelta(days=400),
        until=today - datetime.timedelta(days=1),
    )
    feb = Meeting.objects.get(board=demo_board, date="2024-02-23")
    item = feb.items.get(position=2)
    paper = Paper(item=item, title="Annex A")
    paper.file.save("annex-a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    version = MinutesVersion(meeting=feb, number=1, approved_at=timezone.now(), pdf_sha256="-", docx_sha256="-")
    version.pdf.save("minutes-v1.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    version.docx.save("minutes-v1.docx", ContentFile(b"PK\x03\x04"), save=True)
    lorna = Person.objects.get(initials="LH")
    member = User.objects.get(username="member")
    export = LogExport(board=demo_board, requested_by=member, status=ExportStatus.DONE, rows=600)
    export.finished_at = timezone.now()
    export.file.save("action-log.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    minutes = MinutesExport(meeting=feb, kind=MinutesKind.PDF, requested_by=member, status=ExportStatus.DONE, rows=900)
    minutes.finished_at = timezone.now()
    minutes.file.save("minutes.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    declaration = Declaration.objects.create(meeting=feb, person=lorna, item=item, interest="Trustee of PACT")
    users = {
        "anonymous": None,
        "member": member,
        "outsider": outsider,
        "future": future,
        "former": former,
        "secretary": User.objects.get(username="secretary"),
        "chair": User.objects.get(username="chair"),
        "staff": User.objects.create_superuser("root", "root@example.org", "pw"),
    }
    kwargs = {
        "slug": demo_board.slug,
        "pk": str(feb.pk),
        "item_pk": str(item.pk),
        "paper_pk": str(paper.pk),
        "topic_pk": str(demo_board.topics.first().pk),
        "number": "73",
        "version": "1",
        "kind": "action",
        "person_pk": str(lorna.pk),
        "seat_pk": str(lorna.memberships.get(board=demo_board).pk),
        "declaration_pk": str(declaration.pk),
        "export_pk": str(export.pk),
        # A link no invitation or reset made: refused.
        "uidb64": "MQ",
        "token": "cc1234-0123456789abcdef0123456789abcdef",
    }
    # The audit trail takes the action's primary key, the minutes made in the background their own.
    kwargs_for = {
        "object-history": dict(kwargs, pk=str(Action.objects.get(board=demo_board, number=73).pk)),
        "meeting-minutes-export-status": dict(kwargs, export_pk=str(minutes.pk)),
    }
    kwargs_for["object-restore"] = kwargs_for["object-history"]
    kwargs_for["meeting-minutes-export-file"] = kwargs_for["meeting-minutes-export-status"]
    return users, kwargs, kwargs_for


def fill(route, kwargs):
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], route)


def status_of(client, user, method, path):
    client.logout()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = getattr(client, method)(path)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    return response.status_code


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(name for name, _ in url_names() if name not in MATRIX)
    assert not missing, f"URLs without a row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - {name for name, _ in url_names()})
    assert not stale, f"rows for URLs that no longer exist: {stale}"


def test_every_url_answers_every_role_as_the_matrix_says(client, world):
    # One database for all the URLs (each request is rolled back): the demo board is loaded once.
    users, kwargs, kwargs_for = world
    wrong, checked = [], 0
    for name, route in sorted(url_names()):
        path = fill(route, kwargs_for.get(name, kwargs))
        for method, expected_row in zip(("get", "post"), MATRIX[name]):
            for role, expected in zip(ROLES, expected_row):
                actual = status_of(client, users[role], method, path)
                checked += 1
                if actual != expected:
                    wrong.append(f"{method.upper()} {path} as {role}: {actual}, expected {expected}")
    assert checked == len(MATRIX) * len(ROLES) * 2
    assert not wrong, "\n".join(wrong)
