"""Planning an import: rows as written in, what importing them into a board would do out.

`plan_rows(rows, people=..., actions=...)` reads each row as people write them ("Closed (move to
kinship care group)", "Feb 2024", "RE/MH", "MH and all") and decides per row: create, update,
unchanged or skip, with every problem on its row. It reads nothing from the database and writes
nothing: `preview_import(board=..., rows=...)` is the same with the board's people and actions
fetched, and `actions.services.actions_import` plans again under lock before it writes.

The rows come from `actions.importing.readers` (or any caller: `RawRow` cleans its own cells).
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import ACTION_TEXT_MAX, Action, Status, responsible_label
from .readers import NUMBER, RawRow

MAX_TEXT_CHARS = ACTION_TEXT_MAX
MAX_NOTE_CHARS = 300
PREVIEW_ROWS_SHOWN = 200
# Numbers that would move the board's next number this far past the log ask to be confirmed:
# 99999999 is a typo far more often than a log of that many actions.
NUMBER_JUMP = 1000
# Dates issued this far ahead of today are typos (9999-12-31), not plans.
FUTURE_DAYS = 366
EARLIEST_ISSUED = datetime.date(1900, 1, 1)


# --------------------------------------------------------------------------- reading cells as people write them

_STATUS_WORDS: list[tuple[str, str]] = [
    # longest first, so "in progress" wins over "in"
    ("not started", Status.OPEN),
    ("in progress", Status.IN_PROGRESS),
    ("in-progress", Status.IN_PROGRESS),
    ("in hand", Status.IN_PROGRESS),
    ("on going", Status.IN_PROGRESS),
    ("on-going", Status.IN_PROGRESS),
    ("ongoing", Status.IN_PROGRESS),
    ("underway", Status.IN_PROGRESS),
    ("progressing", Status.IN_PROGRESS),
    ("started", Status.IN_PROGRESS),
    ("completed", Status.COMPLETE),
    ("complete", Status.COMPLETE),
    ("done", Status.COMPLETE),
    ("finished", Status.COMPLETE),
    ("achieved", Status.COMPLETE),
    ("closed", Status.CLOSED),
    ("close", Status.CLOSED),
    ("cancelled", Status.CLOSED),
    ("canceled", Status.CLOSED),
    ("withdrawn", Status.CLOSED),
    ("superseded", Status.CLOSED),
    ("outstanding", Status.OPEN),
    ("pending", Status.OPEN),
    ("opened", Status.OPEN),
    ("open", Status.OPEN),
    ("to do", Status.OPEN),
    ("new", Status.OPEN),
]
_STATUS_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(w) for w, _ in _STATUS_WORDS) + r")(?![a-z])[\s:;,.\-–—]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_STATUS_MAP = dict(_STATUS_WORDS)


def parse_status(text: str) -> tuple[str, str] | None:
    """("closed", "move to kinship care group") from "Closed (move to kinship care group)"; None if unknown.

    A blank status is open. Brackets round the note are dropped, even when one is missing, as in
    the seed's "Closed move to kinship care group)".
    """
    text = " ".join((text or "").split())
    if not text:
        return Status.OPEN, ""
    match = _STATUS_RE.match(text)
    if not match:
        return None
    note = match.group(2).strip()
    if note.startswith("(") or note.endswith(")"):
        note = note.removeprefix("(").removesuffix(")").strip()
    note = note.strip(" -–—:;,.")
    return _STATUS_MAP[match.group(1).lower()], note[:MAX_NOTE_CHARS]


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?[\s\-/,']*(\d{2}|\d{4})$", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([a-z]+)\.?[\s\-/.,]+(\d{2}|\d{4})$", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")
_MONTH_NUMBER_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_issued(text: str) -> tuple[datetime.date, bool] | None:
    """The date an action was issued and whether only its month is known; None if unreadable.

    "Feb 2024", "April 2023", "Sept 23", "Jan2025" -> (first of the month, True);
    "17/04/2024" (day first, as in the UK), "2024-04-17", "17 April 2024" -> (that day, False).
    """
    text = " ".join((text or "").split()).strip(" .,")
    if not text:
        return None
    try:
        if m := _MONTH_YEAR.match(text):
            month = _MONTHS.get(m.group(1).lower())
            if month:
                return datetime.date(_year(m.group(2)), month, 1), True
            return None
        if m := _DAY_MONTH_YEAR.match(text):
            month = _MONTHS.get(m.group(2).lower())
            if month:
                return datetime.date(_year(m.group(3)), month, int(m.group(1))), False
            return None
        if m := _NUMERIC.match(text):
            a, b, c = m.groups()
            if c is None:
                # "2024-04" is a month; "04/24" is too ambiguous to guess.
                return (datetime.date(int(a), int(b), 1), True) if len(a) == 4 else None
            if len(a) == 4:  # ISO: 2024-04-17
                return datetime.date(int(a), int(b), int(c)), False
            return datetime.date(_year(c), int(b), int(a)), False  # day first, as in the UK
        if m := _MONTH_NUMBER_YEAR.match(text):  # "04/2024"
            return datetime.date(int(m.group(2)), int(m.group(1)), 1), True
    except ValueError:  # 31/02/2024, month 13
        return None
    return None


def parse_number(text: str) -> int | None:
    m = NUMBER.match(text or "")
    return int(m.group(1)) if m and int(m.group(1)) >= 1 else None


_WHOLE_BOARD = {"all", "everyone", "everybody", "board", "all members"}
_FILLER = {"and", "the", "whole", "members", "of", "group", "team", "with", "to"}
_SPLIT = re.compile(r"[/,;&+\n\\|]+|\s+")


def split_responsible(text: str) -> tuple[list[str], bool]:
    """The names/initials written ("RE/MH", "RE MH LH", "RE and LP") and whether "all" is among them."""
    tokens, whole = [], False
    for token in _SPLIT.split(text or ""):
        token = token.strip(" .()[]:-")
        key = token.lower()
        if not token:
            continue
        if key in _WHOLE_BOARD:
            whole = True
        elif key not in _FILLER:
            tokens.append(token)
    return tokens, whole


def creatable_initials(token: str) -> str | None:
    """Initials a new person could be created with: written in capitals, up to five letters ("LP")."""
    letters = token.replace(".", "")
    return letters if re.fullmatch(r"[A-Z][A-Z'\-]{0,4}", letters) else None


# --------------------------------------------------------------------------- the plan


CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class RowPlan:
    raw: RawRow
    number: int | None = None
    text: str = ""
    people: list = field(default_factory=list)  # Person objects, in the order written
    whole_board: bool = False
    unknown_initials: list[str] = field(default_factory=list)
    issued_on: datetime.date | None = None
    issued_month_only: bool = False
    status: str | None = None
    status_note: str = ""
    action: object | None = None  # the existing Action this row matches
    kind: str = CREATE
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else ""

    @property
    def responsible_label(self) -> str:
        return responsible_label(
            [p.initials for p in self.people] + self.unknown_initials, whole_board=self.whole_board
        )

    @property
    def blocking_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.code != "unknown_initials"]

    @property
    def only_unknown_initials(self) -> bool:
        return bool(self.problems) and not self.blocking_problems


@dataclass(frozen=True)
class NumberJump:
    """Numbers that would move the board's next number far past its log (a typo like 99999999)."""

    before: int  # the highest number below the gap: the board's, or the file's
    number: int  # the first number past it
    next_number: int  # the board's next number after the import

    @property
    def message(self) -> str:
        return (
            f"The action numbers jump from {self.before:,} to {self.number:,}: after this import the board's next "
            f"action number would be {self.next_number:,}. If a number is a typo, correct the file and import it "
            "again."
        )


@dataclass
class Preview:
    rows: list[RowPlan]
    unknown_initials: list[str]  # initials that could be created as people, first seen first
    number_jump: NumberJump | None = None

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def bad_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.problems]

    def shown_rows(self, limit: int = PREVIEW_ROWS_SHOWN) -> tuple[list[RowPlan], Counter]:
        """Every row with a problem, and the first `limit` others; the rest only counted by kind.

        A page of 5,000 table rows takes seconds to render and nobody reads it; the problems are
        what needs reading, and each of those is shown.
        """
        shown, hidden = [], Counter()
        for row in self.rows:
            if row.problems or len(shown) < limit:
                shown.append(row)
            else:
                hidden[row.kind] += 1
        return shown, hidden

    def fingerprint(self) -> str:
        """What the preview promised: confirm refuses if the board changed under it since."""
        state = [
            (
                r.raw.where,
                r.kind,
                getattr(r.action, "pk", None),
                getattr(r.action, "version", None),
                [p.code for p in r.problems],
                [p.pk for p in r.people],
            )
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _similar_text(a: str, b: str) -> bool:
    """The same action with its wording touched up, rather than a different action under that number."""
    a, b = " ".join(a.split()).casefold(), " ".join(b.split()).casefold()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and matcher.ratio() >= 0.75


def _people_index(people: Iterable) -> tuple[dict[str, list], dict[str, list]]:
    by_initials: dict[str, list] = {}
    by_name: dict[str, list] = {}
    for person in people:
        by_initials.setdefault(person.initials.upper().replace(".", ""), []).append(person)
        if person.full_name:
            by_name.setdefault(person.full_name.casefold(), []).append(person)
            first = person.full_name.split()[0].casefold()
            if first not in ("dr", "mr", "mrs", "ms", "miss", "prof", "cllr"):
                by_name.setdefault(first, []).append(person)
    return by_initials, by_name


def _resolve_people(plan: RowPlan, log: _Log) -> None:
    written = plan.raw.responsible
    whole_name = log.by_name.get(_text_key(written))
    if whole_name and len(whole_name) == 1:
        plan.people = whole_name
        return
    tokens, plan.whole_board = split_responsible(written)
    for token in tokens:
        key = token.upper().replace(".", "")
        matches = log.by_initials.get(key) or log.by_name.get(token.casefold()) or []
        if len(matches) > 1:
            # Past members keep their initials; the current member is the one meant.
            current = [p for p in matches if p.pk in log.current_ids]
            matches = current if len(current) == 1 else matches
        if len(matches) == 1:
            if matches[0] not in plan.people:
                plan.people.append(matches[0])
        elif matches:
            plan.problems.append(Problem("ambiguous_initials", f"“{token}” could be {len(matches)} different people."))
        elif (initials := creatable_initials(token)) is not None:
            if initials not in plan.unknown_initials:
                plan.unknown_initials.append(initials)
        else:
            plan.problems.append(Problem("unclear_responsible", f"Nobody on the board is called “{token}”."))
    if plan.unknown_initials:
        plan.problems.insert(
            0,
            Problem(
                "unknown_initials",
                "Unknown initials: " + ", ".join(plan.unknown_initials) + " (tick “create people” to add them).",
            ),
        )
    if not tokens and not plan.whole_board:
        plan.problems.append(Problem("no_responsible", "Nobody is named as responsible."))


class _Log:
    """What rows are planned against: the board's people and actions, indexed once."""

    def __init__(self, *, people: Iterable, actions: Iterable, current_person_ids: Iterable[int], rows, today):
        self.by_initials, self.by_name = _people_index(people)
        self.current_ids = set(current_person_ids)
        self.by_number = {a.number: a for a in actions}
        self.by_text: dict[str, list] = {}
        for a in self.by_number.values():
            self.by_text.setdefault(_text_key(a.text), []).append(a)
        self.numbers_in_file = Counter(n for n in (parse_number(r.number) for r in rows) if n is not None)
        self.today = today


def _text_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def plan_rows(
    rows: Sequence[RawRow],
    *,
    people: Iterable,
    actions: Iterable,
    current_person_ids: Iterable[int] = (),
    next_number: int = 1,
    today: datetime.date | None = None,
) -> Preview:
    """Decide, row by row, what importing `rows` into a board would do. Reads nothing itself.

    `people` are the board's people (`actions.selectors.people_known_to`), `actions` all of its
    actions, removed ones included, each with `people` available (`with_people()`), and
    `next_number` the board's counter.
    """
    log = _Log(
        people=people,
        actions=actions,
        current_person_ids=current_person_ids,
        rows=rows,
        today=today or timezone.localdate(),
    )
    plans = [_plan_row(raw, log) for raw in rows]
    # People to create: those of the rows that will be imported, never of skipped ones.
    unknown = dict.fromkeys(i for plan in plans if plan.kind != SKIP for i in plan.unknown_initials)
    highest = max([next_number - 1, *log.by_number])
    return Preview(rows=plans, unknown_initials=list(unknown), number_jump=_number_jump(plans, highest))


def _plan_row(raw: RawRow, log: _Log) -> RowPlan:
    """One row: each cell read, the existing action it matches, and what importing it would do."""
    plan = RowPlan(raw=raw, text=raw.text.strip())
    _read_number(plan, log)
    _read_text(plan)
    _resolve_people(plan, log)
    _read_issued(plan, log.today)
    _read_status(plan)
    plan.action = _match_existing(plan, log)
    # Rows whose only problem is initials nobody has are shown as they would go if the
    # people were created; without "create people" they are skipped at confirm.
    if plan.blocking_problems:
        plan.kind = SKIP
    elif plan.action is None:
        plan.kind = CREATE
    else:
        plan.changes = _changes(plan.action, plan)
        plan.kind = UPDATE if plan.changes else UNCHANGED
    return plan


def _read_number(plan: RowPlan, log: _Log) -> None:
    written = plan.raw.number
    if not written:
        return
    plan.number = parse_number(written)
    if plan.number is None:
        plan.problems.append(Problem("bad_number", f"“{written}” is not an action number."))
    elif log.numbers_in_file[plan.number] > 1:
        plan.problems.append(Problem("duplicate_number", f"Number {plan.number} appears more than once in the file."))


def _read_text(plan: RowPlan) -> None:
    if not plan.text:
        plan.problems.append(Problem("no_text", "The action has no text."))
    elif len(plan.text) > MAX_TEXT_CHARS:
        plan.problems.append(
            Problem("text_too_long", f"The action's text is longer than {MAX_TEXT_CHARS:,} characters.")
        )


def _read_issued(plan: RowPlan, today: datetime.date) -> None:
    written = plan.raw.issued
    issued = parse_issued(written)
    if issued is None:
        if written.strip():
            plan.problems.append(
                Problem("bad_date", f"Cannot read the date “{written}” (write it like “Feb 2024” or “17/04/2024”).")
            )
        else:
            plan.problems.append(Problem("no_date", "No date issued."))
    elif issued[0] < EARLIEST_ISSUED:
        plan.problems.append(
            Problem("bad_date", f"The date “{written}” is too long ago to be when an action was issued.")
        )
    elif issued[0] > today + datetime.timedelta(days=FUTURE_DAYS):
        plan.problems.append(Problem("bad_date", f"The date “{written}” is more than a year ahead."))
    else:
        plan.issued_on, plan.issued_month_only = issued


def _read_status(plan: RowPlan) -> None:
    raw = plan.raw
    status = parse_status(raw.status)
    if status is None:
        plan.problems.append(
            Problem("bad_status", f"Unknown status “{raw.status}” (use Open, In progress, Complete or Closed).")
        )
        return
    plan.status, plan.status_note = status
    if raw.note.strip():
        plan.status_note = "; ".join(filter(None, [plan.status_note, " ".join(raw.note.split())]))[:MAX_NOTE_CHARS]


def _match_existing(plan: RowPlan, log: _Log):
    """The existing action this row is: by number; rows without one, by their text. None for a new one."""
    existing = None
    if plan.number is not None:
        existing = log.by_number.get(plan.number)
        if (
            existing is not None
            and plan.text
            and not (_same_text(existing.text, plan.text) or _similar_text(existing.text, plan.text))
        ):
            plan.problems.append(
                Problem(
                    "number_clash",
                    f"Number {plan.number} is already a different action on this board: “{existing.text[:80]}”.",
                )
            )
            return None
    elif not plan.raw.number and plan.text:
        same = [a for a in log.by_text.get(_text_key(plan.text), []) if a.removed_at is None]
        existing = same[0] if same else None
    if existing is not None and existing.removed_at is not None:
        plan.problems.append(
            Problem("removed", f"Action {existing.number} was removed from the log; the import does not bring it back.")
        )
        return None
    return existing


def _number_jump(plans: list[RowPlan], highest: int) -> NumberJump | None:
    """The first gap of more than `NUMBER_JUMP` in the numbers the import would create, counted
    from the board's highest number (or counter), if there is one."""
    created = [p for p in plans if p.kind == CREATE]
    numbers = sorted(p.number for p in created if p.number is not None)
    unnumbered = len(created) - len(numbers)
    previous = highest
    for number in numbers:
        if number > previous + NUMBER_JUMP:
            return NumberJump(before=previous, number=number, next_number=max(numbers[-1], highest) + 1 + unnumbered)
        previous = max(previous, number)
    return None


def _changes(action, plan: RowPlan) -> list[str]:
    changes = []
    if not _same_text(action.text, plan.text):
        changes.append("text")
    if [p.pk for p in action.people] != [p.pk for p in plan.people] or plan.unknown_initials:
        changes.append("responsible")
    if action.whole_board != plan.whole_board and "responsible" not in changes:
        changes.append("responsible")
    if plan.issued_month_only:
        if (action.issued_on.year, action.issued_on.month) != (plan.issued_on.year, plan.issued_on.month):
            changes.append("issued")
    elif action.issued_on != plan.issued_on:
        changes.append("issued")
    if action.status != plan.status or action.status_note != plan.status_note:
        changes.append("status")
    return changes


def preview_import(*, board, rows: Sequence[RawRow], extra_people: Iterable = (), lock: bool = False) -> Preview:
    """`plan_rows` with the board's people and actions read from the database (four queries).

    With `lock`, the board's actions are locked (SELECT ... FOR UPDATE) until the transaction ends.
    """
    from meetings.models import Membership

    from ..selectors import people_known_to

    actions = Action.objects.filter(board=board).with_people()
    if lock:
        actions = actions.select_for_update(of=("self",))
    current = Membership.objects.current().filter(board=board).values_list("person_id", flat=True)
    return plan_rows(
        rows,
        people=list(people_known_to(board)) + list(extra_people),
        actions=list(actions),
        current_person_ids=list(current),
        next_number=board.next_action_number,
    )
