"""Actions written inline in the minutes ("Action: …"): offered when the minutes are saved, confirmed
by the secretary (edited, raised or dropped), raised once and only once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.urls import reverse

from actions import services
from actions.lines import fingerprint
from actions.models import Action, DroppedActionLine
from actions.selectors import action_line_offers
from meetings.models import Meeting, MeetingStatus, Person
from meetings.services import minutes_approve

SEED_LINES = (
    "Action: MH said if DCSs are asked then our position is we are conflicted/mixed in respect of our views on "
    "changes to the rule the 3-year rule. Colleagues agreed.\n"
    "Action: Group to build into their own performance monitoring/reflections that one or two per RAA/2-3% "
    "feels the right proportion of disruptions. "
)


@pytest.fixture
def feb(demo_board):
    return Meeting.objects.get(board=demo_board, date="2024-02-23")


@pytest.fixture
def april(demo_board):
    return Meeting.objects.get(board=demo_board, date="2024-04-17")


@pytest.fixture
def secretary_client(client, demo_board):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="secretary"))
    return client


def save_minutes(client, item, notes):
    url = reverse("meetings:item-minutes", args=[item.meeting.board.slug, item.meeting_id, item.pk])
    item.refresh_from_db()
    prefix = f"minutes-{item.pk}"
    response = client.post(
        url, {f"{prefix}-notes": notes, f"{prefix}-decisions": "", f"{prefix}-version": item.version}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    return response


def lines_url(meeting):
    return reverse("actions:meeting-action-lines", args=[meeting.board.slug, meeting.pk])


def line_post(item, notes_line, decision="raise", **fields):
    fp = fingerprint(notes_line)
    prefix = f"line-{item.pk}-{fp[:12]}"
    data = {"line": f"{item.pk}:{fp}", "decision": decision}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def test_it_recognises_the_demo_meetings_action_lines_as_already_raised(secretary_client, feb):
    item = feb.items.get(position=2)
    assert "Action: MH said if DCSs are asked" in item.notes and "Action: Group to build" in item.notes
    assert action_line_offers(feb, list(feb.items.all())) == {}
    page = secretary_client.get(feb.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="item-action-lines"' not in page.content
    lines = secretary_client.get(lines_url(feb))
    assert b'data-testid="no-lines"' in lines.content


def test_it_offers_the_seed_lines_typed_into_a_new_meeting_as_two_actions_for_mh_and_all(secretary_client, april):
    item = april.items.get(position=1)
    save_minutes(secretary_client, item, "Welcome and apologies.\n" + SEED_LINES)
    offers = action_line_offers(april, [item])[item.pk]
    assert [([p.initials for p in o.people], o.whole_board) for o in offers] == [(["MH"], False), ([], True)]
    page = secretary_client.get(april.get_absolute_url())
    assert b'data-testid="item-action-lines"' in page.content and "2 lines of these minutes" in page.content.decode()
    lines = secretary_client.get(lines_url(april))
    body = lines.content.decode()
    assert lines.status_code == 200 and body.count('data-testid="action-line"') == 2
    mh = Person.objects.get(initials="MH")
    assert f'<option value="{mh.pk}" selected>' in body


def test_confirming_a_line_raises_the_boards_next_action_on_its_item_and_it_is_not_offered_again(
    secretary_client, april, demo_board
):
    item = april.items.get(position=1)
    save_minutes(secretary_client, item, SEED_LINES)
    first = SEED_LINES.splitlines()[0]
    mh = Person.objects.get(initials="MH")
    response = secretary_client.post(
        lines_url(april),
        line_post(item, first, text="MH to say our position is mixed if DCSs ask.", responsible=[mh.pk]),
    )
    assert response.status_code == 302
    action = Action.objects.get(board=demo_board, number=77)
    assert action.text == "MH to say our position is mixed if DCSs ask."  # edited before raising
    assert action.agenda_item == item and action.meeting == april and action.source_line == fingerprint(first)
    assert [p.initials for p in action.people] == ["MH"] and not action.whole_board
    assert action.history.count() == 1
    assert [o.text for o in action_line_offers(april, [item])[item.pk]] == [SEED_LINES.splitlines()[1][8:].strip()]

    # The whole board for "Group to …"
    second = SEED_LINES.splitlines()[1]
    response = secretary_client.post(
        lines_url(april), line_post(item, second, text="Group to build it in.", whole_board="on")
    )
    assert response.status_code == 302
    assert Action.objects.get(board=demo_board, number=78).whole_board
    assert action_line_offers(april, [item]) == {}

    # Confirming the same line again (a second tab, a double click) raises nothing.
    again = secretary_client.post(lines_url(april), line_post(item, first, text="Again", responsible=[mh.pk]))
    assert again.status_code == 409
    assert Action.objects.filter(board=demo_board).count() == 18 + 2
    demo_board.refresh_from_db()
    assert demo_board.next_action_number == 79


def test_a_dropped_line_is_not_offered_or_raised_again(secretary_client, april, demo_board):
    item = april.items.get(position=1)
    save_minutes(secretary_client, item, "KY to circulate the data pack")
    line = "KY to circulate the data pack"
    assert [p.initials for p in action_line_offers(april, [item])[item.pk][0].people] == ["KY"]
    response = secretary_client.post(lines_url(april), line_post(item, line, decision="drop"))
    assert response.status_code == 302
    dropped = DroppedActionLine.objects.get(item=item)
    assert dropped.line == line and dropped.fingerprint == fingerprint(line) and dropped.history.count() == 1
    assert action_line_offers(april, [item]) == {}
    ky = Person.objects.get(initials="KY")
    raise_it = secretary_client.post(lines_url(april), line_post(item, line, text=line, responsible=[ky.pk]))
    assert raise_it.status_code == 409 and not Action.objects.filter(agenda_item=item).exists()


def test_a_bare_line_is_offered_only_for_the_boards_initials(secretary_client, april):
    item = april.items.get(position=1)
    save_minutes(secretary_client, item, "UK to leave the scheme\nZZ to call\nKY to call the DfE\nAction: ZZ to call")
    offers = action_line_offers(april, [item])[item.pk]
    assert [(o.text, [p.initials for p in o.people], o.whole_board) for o in offers] == [
        ("KY to call the DfE", ["KY"], False),
        # An "Action:" line naming nobody the board knows is for the whole board.
        ("ZZ to call", [], True),
    ]


def test_bad_confirmations_are_refused_next_to_the_field_and_raise_nothing(secretary_client, april, demo_board):
    item = april.items.get(position=1)
    save_minutes(secretary_client, item, SEED_LINES)
    first = SEED_LINES.splitlines()[0]
    no_text = secretary_client.post(lines_url(april), line_post(item, first, text="   ", whole_board="on"))
    assert no_text.status_code == 400 and "The action needs some text." in no_text.content.decode()
    nobody = secretary_client.post(lines_url(april), line_post(item, first, text="Something"))
    assert nobody.status_code == 400 and "Say who is responsible" in nobody.content.decode()
    forged = secretary_client.post(lines_url(april), {"line": f"{item.pk}:{'0' * 64}", "decision": "raise"})
    assert forged.status_code == 409
    junk = secretary_client.post(lines_url(april), {"line": "99999999999999999999999:x", "decision": "raise"})
    assert junk.status_code == 400
    assert Action.objects.filter(board=demo_board).count() == 18


def test_a_line_taken_out_of_the_minutes_since_the_page_was_loaded_is_not_raised(april, demo_board):
    item = april.items.get(position=1)
    item.notes = "Action: RE to send the note"
    item.save()
    fp = fingerprint(item.notes)
    item.notes = "RE sent the note already."
    item.save()
    with pytest.raises(ValidationError, match="no longer in the minutes"):
        services.action_line_raise(item=item, fingerprint=fp, text="RE to send the note", whole_board=True)


def test_lines_of_approved_minutes_are_not_raised(april, demo_board):
    item = april.items.get(position=1)
    item.notes = "Action: RE to send the note"
    item.save()
    from django.contrib.auth import get_user_model

    minutes_approve(meeting=april, by=get_user_model().objects.get(username="chair"))
    assert Meeting.objects.get(pk=april.pk).status == MeetingStatus.APPROVED
    with pytest.raises(ValidationError, match="approved"):
        services.action_line_raise(item=item, fingerprint=fingerprint(item.notes), text="x", whole_board=True)
    assert not Action.objects.filter(agenda_item=item).exists()


def test_the_database_refuses_two_actions_from_one_line_of_one_item(april, demo_board):
    item = april.items.get(position=1)
    fp = fingerprint("Action: RE to send the note")
    Action.objects.create(
        board=demo_board, number=500, text="a", agenda_item=item, issued_on=april.date, source_line=fp
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(
            board=demo_board, number=501, text="b", agenda_item=item, issued_on=april.date, source_line=fp
        )
    # Actions raised by hand carry no line: any number of them.
    Action.objects.create(board=demo_board, number=502, text="c", agenda_item=item, issued_on=april.date)
    Action.objects.create(board=demo_board, number=503, text="d", agenda_item=item, issued_on=april.date)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirmations_of_one_line_raise_one_action(django_db_blocker):
    from django.core.management import call_command

    call_command("load_demo", password="demo-pass", verbosity=0)
    april = Meeting.objects.get(board__slug="south-east-alb", date="2024-04-17")
    item = april.items.get(position=1)
    item.notes = "Action: RE to send the note to the DfE"
    item.save()
    fp = fingerprint(item.notes)
    writers = 6
    start = threading.Barrier(writers)
    raised, refused, errors = [], [], []
    lock = threading.Lock()

    def confirm():
        try:
            start.wait()
            action = services.action_line_raise(item=item, fingerprint=fp, text="RE to send the note", whole_board=True)
            with lock:
                raised.append(action.number)
        except ValidationError as exc:
            with lock:
                refused.append(exc.messages[0])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert raised == [77] and len(refused) == writers - 1
    assert all("already raised" in message for message in refused)
    assert Action.objects.filter(agenda_item=item).count() == 1
    april.board.refresh_from_db()
    assert april.board.next_action_number == 78


def test_a_raised_line_moved_to_another_item_is_not_offered_again(secretary_client, april):
    first, second = april.items.live().order_by("position")[:2]
    save_minutes(secretary_client, first, "Action: RE to send the note to the DfE")
    services.action_line_raise(
        item=first, fingerprint=fingerprint("Action: RE to send the note to the DfE"), text="x", whole_board=True
    )
    save_minutes(secretary_client, first, "")
    save_minutes(secretary_client, second, "Action: RE to send the note to the DfE")
    assert action_line_offers(april, [first, second]) == {}
