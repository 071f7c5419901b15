"""Writes to a board's people: adding members (new people or ones from the editor's other boards),
editing a person, a seat's role and dates, ending a seat, making a guest a member.

Initials are how minutes and the action log name people, so on one board no two people whose
seats overlap in time share them (compared without case: "RM" and "Rm" read the same in a log).
The rule spans two tables and a date range, which no portable constraint expresses; every write
that could break it checks it here while holding the row lock of each board concerned (boards
locked in id order, so two writers never wait on each other crosswise).
"""

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from adoptboard.concurrency import save_if_unchanged

from .models import EDITOR_ROLES, Board, Membership, Person, Role
from .permissions import access_for, require
from .selectors import people_pickable

PERSON_FIELDS = ["full_name", "initials", "organisation", "job_title", "email"]
MEMBERSHIP_FIELDS = ["role", "role_label", "since", "until"]
INITIALS_PATTERN = re.compile(r"^[A-Za-z][A-Za-z'.-]{0,9}$")


def _lock_boards(board_ids) -> None:
    list(Board.objects.select_for_update().filter(pk__in=set(board_ids)).order_by("pk").values_list("pk", flat=True))


def derive_initials(full_name: str) -> str:
    """ "Richard Morris" -> "RM"; titles such as "Dr" count as a word, as the minutes write them."""
    return "".join(part[0] for part in full_name.split() if part[:1].isalpha()).upper()[:10]


def _overlapping(since: datetime.date | None, until: datetime.date | None) -> Q:
    """Seats whose period [since, until] meets the given one (open ends run for ever)."""
    q = Q()
    if until is not None:
        q &= Q(since__isnull=True) | Q(since__lte=until)
    if since is not None:
        q &= Q(until__isnull=True) | Q(until__gte=since)
    return q


def initials_in_use(board: Board, *, since=None, until=None, exclude_person: Person | None = None) -> dict[str, Person]:
    """The initials (upper case) of the board's people whose seats overlap the period, and who has them."""
    seats = Membership.objects.filter(board=board).filter(_overlapping(since, until)).select_related("person")
    if exclude_person is not None:
        seats = seats.exclude(person=exclude_person)
    return {m.person.initials.upper(): m.person for m in seats}


def suggest_initials(full_name: str, initials: str, taken) -> str:
    """A free variant of `initials`: the surname's next letters first ("RMo", "RMor" for Richard
    Morris), then the first name's ("RiM"), then a number ("RM2")."""
    taken = {t.upper() for t in taken}
    words = [w for w in re.split(r"[\s-]+", full_name.strip()) if w[:1].isalpha()]
    candidates = []
    if len(words) >= 2:
        head = "".join(w[0].upper() for w in words[:-1])
        surname = words[-1]
        candidates += [head + surname[0].upper() + surname[1:k].lower() for k in range(2, len(surname) + 1)]
        first = words[0]
        rest = "".join(w[0].upper() for w in words[1:])
        candidates += [first[0].upper() + first[1:k].lower() + rest for k in range(2, len(first) + 1)]
    elif words:
        word = words[0]
        candidates += [word[0].upper() + word[1:k].lower() for k in range(2, len(word) + 1)]
    base = (initials or derive_initials(full_name) or "X")[:8]
    candidates += [f"{base}{n}" for n in range(2, 100)]
    for candidate in candidates:
        if len(candidate) <= 10 and candidate.upper() not in taken:
            return candidate
    raise AssertionError("no free initials among 100 candidates")  # pragma: no cover


def check_initials(board: Board, *, initials: str, full_name: str, since=None, until=None, person=None) -> None:
    """Refuse initials that someone else on the board already has for an overlapping period."""
    in_use = initials_in_use(board, since=since, until=until, exclude_person=person)
    other = in_use.get(initials.upper())
    if other is not None:
        suggestion = suggest_initials(full_name, initials, in_use)
        raise ValidationError(
            {
                "initials": f"{initials} already stands for {other} on {board.short_name or board.name}. "
                f"Initials must tell people apart in the minutes: try “{suggestion}”."
            },
            code="initials_taken",
            params={"suggestion": suggestion},
        )


def _check_person_values(values: dict, *, person: Person | None = None) -> dict:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors = {}
    if "full_name" in values and not values["full_name"]:
        errors["full_name"] = "Give the person's full name."
    if "initials" in values:
        if not values["initials"] and values.get("full_name"):
            values["initials"] = derive_initials(values["full_name"])
        if not INITIALS_PATTERN.match(values["initials"] or ""):
            errors["initials"] = "Initials are 1 to 10 letters (a hyphen, dot or apostrophe may follow the first)."
    email = values.get("email")
    if email:
        values["email"] = email
        others = Person.objects.filter(email__iexact=email)
        if person is not None:
            others = others.exclude(pk=person.pk)
        if others.exists():
            errors["email"] = f"{others.first()} already has the address {email}: one person per address."
    if errors:
        raise ValidationError(errors, code="invalid")
    return values


def _check_dates(since, until) -> None:
    if since is not None and until is not None and until < since:
        raise ValidationError({"until": "A seat cannot end before it starts."}, code="until_before_since")


def _check_no_overlapping_seat(board: Board, person: Person, since, until, *, exclude: Membership | None = None):
    seats = Membership.objects.filter(board=board, person=person).filter(_overlapping(since, until))
    if exclude is not None:
        seats = seats.exclude(pk=exclude.pk)
    if seats.exists():
        raise ValidationError(
            f"{person} already has a seat on this board for part of that time: change that seat's dates instead.",
            code="seat_overlaps",
        )


def _has_editor(board: Board) -> bool:
    """A chair, vice chair or secretary today and tomorrow (a seat ending today runs out tonight)."""
    today = timezone.localdate()
    editors = Membership.objects.filter(board=board, role__in=EDITOR_ROLES)
    return all(editors.current(day).exists() for day in (today, today + datetime.timedelta(days=1)))


def _check_board_keeps_an_editor(board: Board, *, had_editor: bool) -> None:
    """A change may not leave a board that had a chair, vice chair or secretary without one (staff aside)."""
    if had_editor and not _has_editor(board):
        raise ValidationError(
            "The board would have no chair, vice chair or secretary left to run it: give the role to someone "
            "else first.",
            code="no_editor_left",
        )


@transaction.atomic
def member_add(
    *,
    board: Board,
    by,
    role: str = Role.MEMBER,
    role_label: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    person: Person | None = None,
    full_name: str = "",
    initials: str = "",
    organisation: str = "",
    job_title: str = "",
    email: str = "",
) -> Membership:
    """Give someone a seat on the board: a person the editor's boards know, or a new person."""
    require(access_for(by, board).can_edit)
    _lock_boards([board.pk])
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."}, code="bad_role")
    # A seat starts today unless told otherwise (a date in the past records an earlier start).
    since = since or timezone.localdate()
    _check_dates(since, until)
    if person is None:
        values = _check_person_values(
            {
                "full_name": full_name,
                "initials": initials,
                "organisation": organisation,
                "job_title": job_title,
                "email": email,
            }
        )
        check_initials(board, initials=values["initials"], full_name=values["full_name"], since=since, until=until)
        person = Person.objects.create(**values)
    else:
        if not people_pickable(by, board).filter(pk=person.pk).exists():
            raise ValidationError(
                {"person": "Choose someone known to a board you run, or add a new person."}, code="not_pickable"
            )
        _check_no_overlapping_seat(board, person, since, until)
        check_initials(
            board, initials=person.initials, full_name=person.full_name, since=since, until=until, person=person
        )
    return Membership.objects.create(
        board=board, person=person, role=role, role_label=role_label.strip(), since=since, until=until
    )


@transaction.atomic
def person_update(*, person: Person, expected_version: int, **values) -> Person:
    """Change a person's name, initials, organisation, role title or email, on every board they sit on.

    A linked login follows the email: its address (and its username, when that was the old address).
    """
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Not a person field: {sorted(unknown)}")
    seats = list(Membership.objects.filter(person=person).select_related("board"))
    _lock_boards([m.board_id for m in seats])
    # Compared with the row as it is, not with `person` (a form may have changed it in memory).
    stored = Person.objects.get(pk=person.pk)
    values = _check_person_values(values, person=person)
    full_name = values.get("full_name", stored.full_name)
    if "initials" in values and values["initials"].upper() != stored.initials.upper():
        for seat in seats:
            check_initials(
                seat.board,
                initials=values["initials"],
                full_name=full_name,
                since=seat.since,
                until=seat.until,
                person=person,
            )
    old_email = stored.email
    for name, value in values.items():
        setattr(person, name, value)
    save_if_unchanged(person, expected_version=expected_version, fields=list(values))
    if person.user_id and "email" in values and values["email"] != old_email:
        _login_follows_email(person, old_email)
    return person


def _login_follows_email(person: Person, old_email: str) -> None:
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=person.user_id)
    user.email = person.email
    fields = ["email"]
    if old_email and user.username.lower() == old_email.lower() and person.email:
        if User.objects.filter(username__iexact=person.email).exclude(pk=user.pk).exists():
            raise ValidationError({"email": f"Another login already uses {person.email}."}, code="login_taken")
        user.username = person.email.lower()
        fields.append("username")
    user.save(update_fields=fields)


@transaction.atomic
def membership_update(*, membership: Membership, expected_version: int, by, **values) -> Membership:
    """Change a seat's role, how the documents print it, and its dates."""
    unknown = set(values) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise ValueError(f"Not a membership field: {sorted(unknown)}")
    board = membership.board
    require(access_for(by, board).can_edit)
    _lock_boards([board.pk])
    merged = {name: values.get(name, getattr(membership, name)) for name in MEMBERSHIP_FIELDS}
    if merged["role"] not in Role.values:
        raise ValidationError({"role": "Choose a role."}, code="bad_role")
    _check_dates(merged["since"], merged["until"])
    person = membership.person
    _check_no_overlapping_seat(board, person, merged["since"], merged["until"], exclude=membership)
    check_initials(
        board,
        initials=person.initials,
        full_name=person.full_name,
        since=merged["since"],
        until=merged["until"],
        person=person,
    )
    merged["role_label"] = merged["role_label"].strip()
    had_editor = _has_editor(board)
    for name, value in merged.items():
        setattr(membership, name, value)
    save_if_unchanged(membership, expected_version=expected_version, fields=list(values))
    _check_board_keeps_an_editor(board, had_editor=had_editor)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, by, on: datetime.date | None = None) -> Membership:
    """End a seat on a day (today unless given). The person stays in every record they appear in."""
    board = membership.board
    require(access_for(by, board).can_edit)
    _lock_boards([board.pk])
    seat = Membership.objects.select_for_update().get(pk=membership.pk)
    on = on or timezone.localdate()
    if seat.until is not None and seat.until <= on:
        raise ValidationError(f"{membership.person}'s seat already ended on {seat.until:%-d %B %Y}.", code="ended")
    if seat.since is not None and on < seat.since:
        raise ValidationError(
            f"{membership.person}'s seat starts on {seat.since:%-d %B %Y}: change its dates instead.",
            code="not_started",
        )
    had_editor = _has_editor(board)
    seat.until = on
    save_if_unchanged(seat, expected_version=seat.version, fields=["until"])
    _check_board_keeps_an_editor(board, had_editor=had_editor)
    membership.until, membership.version = seat.until, seat.version
    return membership


@transaction.atomic
def guest_make_member(*, board: Board, person: Person, by, role: str = Role.MEMBER) -> Membership:
    """One step from guest to member: a seat from today, the person as the board knows them."""
    if not Membership.objects.current().filter(board=board, person=person).exists():
        return member_add(board=board, by=by, person=person, role=role, since=timezone.localdate())
    raise ValidationError(f"{person} already has a seat on this board.", code="already_member")
