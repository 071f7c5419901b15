"""Every write to a board's meetings: each one atomic, each one where its rules are.

A meeting whose minutes are approved is locked. Every write that touches a meeting first takes
the meeting's row lock (`lock_meeting_for_edit`) and refuses if it is approved, so an edit racing
the approval either lands before it or is refused; approving and reopening take the same lock.
"""

import datetime
import hashlib
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from adoptboard.concurrency import StaleEdit, save_if_unchanged

from .models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Board,
    Decision,
    Meeting,
    MeetingStatus,
    Membership,
    MinutesVersion,
    Paper,
    Person,
    Purpose,
    Topic,
)
from .permissions import access_for, require
from .services_people import check_initials
from .signals import minutes_approved, minutes_circulated


@transaction.atomic
def meeting_schedule(
    *,
    board: Board,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    place: str = "",
    online_link: str = "",
    title: str = "",
) -> Meeting:
    """Schedule a meeting with the board's standing agenda items and its current members invited."""
    if end_time <= start_time:
        raise ValidationError({"end_time": "The meeting must end after it starts."}, code="end_before_start")
    meeting = Meeting.objects.create(
        board=board,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=place,
        online_link=online_link,
        title=title,
    )
    bulk_create_with_history(
        [
            AgendaItem(
                meeting=meeting,
                position=i,
                title=standing["title"],
                duration_minutes=standing["minutes"],
                is_standing=True,
                is_closing=standing["closing"],
            )
            for i, standing in enumerate(board.standing_items, start=1)
        ],
        AgendaItem,
    )
    people = Membership.objects.current(date).filter(board=board).values_list("person_id", flat=True).distinct()
    bulk_create_with_history(
        [Attendance(meeting=meeting, person_id=pid, status=AttendanceStatus.INVITED) for pid in people], Attendance
    )
    return meeting


MEETING_FIELDS = ["title", "date", "start_time", "end_time", "place", "online_link"]


@transaction.atomic
def meeting_update(*, meeting: Meeting, expected_version: int, **values) -> Meeting:
    """Change a meeting's title, date, times or place; refused once approved or if someone saved first."""
    lock_meeting_for_edit(meeting)
    unknown = set(values) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"Not a meeting detail: {sorted(unknown)}")
    merged = {name: values.get(name, getattr(meeting, name)) for name in MEETING_FIELDS}
    if merged["end_time"] <= merged["start_time"]:
        raise ValidationError({"end_time": "The meeting must end after it starts."}, code="end_before_start")
    for name, value in merged.items():
        setattr(meeting, name, value)
    save_if_unchanged(meeting, expected_version=expected_version, fields=MEETING_FIELDS)
    return meeting


def next_meeting_proposal(meeting: Meeting) -> dict:
    """Initial values for "schedule next meeting": a quarter on, the board's usual time and place."""
    board = meeting.board
    try:
        date = meeting.date + datetime.timedelta(weeks=13)
    except OverflowError:  # a meeting at the calendar's end (9999): no date to propose
        date = None
    return {
        "date": date,
        "start_time": board.default_start_time,
        "end_time": board.default_end_time,
        "place": board.default_place or meeting.place,
        "online_link": board.default_online_link or meeting.online_link,
    }


MEETING_LOCKED_MESSAGE = (
    "The minutes of this meeting are approved and locked. Ask the chair, vice chair or secretary to reopen "
    "them before changing anything."
)


def ensure_meeting_editable(meeting: Meeting) -> None:
    """Refuse (without locking) when the meeting's minutes are approved: for pages deciding what to offer."""
    if meeting.is_locked:
        raise ValidationError(MEETING_LOCKED_MESSAGE, code="locked")


def lock_meeting_for_edit(meeting: Meeting) -> Meeting:
    """Lock the meeting's row until the transaction ends and refuse if its minutes are approved.

    Call first in every write that touches a meeting (inside its transaction). The status is read
    under the lock, so an approval committed a moment ago is seen; `meeting` is brought up to date.
    """
    status = Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
    meeting.status = status
    ensure_meeting_editable(meeting)
    return meeting


# --- Attendance -------------------------------------------------------------------------------


ATTENDANCE_STALE_MESSAGE = (
    "Someone else changed this meeting's attendance while you were editing it, so nothing was saved. "
    "The attendance below is theirs: make your changes again and save."
)


def attendance_fingerprint(attendances) -> str:
    """A short digest of the attendance rows as shown (who, status, deputy).

    Attendance rows carry no version of their own; the form carries this digest instead, so a
    save based on rows that changed since (another editor's save, a guest added) is refused.
    """
    rows = sorted((a.pk, a.status, a.deputising_for_id or 0) for a in attendances)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


@transaction.atomic
def attendance_save(*, meeting: Meeting, rows: list[dict], expected_fingerprint: str | None = None) -> None:
    """Save every invitee's status and deputy in one go.

    `rows` holds dicts with `attendance` (an Attendance of this meeting), `status` and
    `deputising_for` (a Person or None). The rows that changed are written with one bulk UPDATE
    (and one history row each), whatever their number. With `expected_fingerprint` (what the
    editor's page showed, see attendance_fingerprint) the save is refused with StaleEdit when the
    rows changed since.
    """
    lock_meeting_for_edit(meeting)
    if expected_fingerprint is not None:
        current = list(Attendance.objects.filter(meeting=meeting).only("pk", "status", "deputising_for_id"))
        if attendance_fingerprint(current) != expected_fingerprint:
            raise StaleEdit(ATTENDANCE_STALE_MESSAGE)
    changed = []
    for row in rows:
        att = row["attendance"]
        if att.meeting_id != meeting.pk:
            raise ValidationError("That attendance belongs to another meeting.", code="wrong_meeting")
        deputy_for = row.get("deputising_for")
        if deputy_for is not None and deputy_for.pk == att.person_id:
            raise ValidationError(f"{att.person} cannot deputise for themselves.", code="own_deputy")
        if row["status"] not in AttendanceStatus.values:
            raise ValidationError("Unknown attendance status.", code="bad_status")
        deputy_id = deputy_for.pk if deputy_for is not None else None
        if (att.status, att.deputising_for_id) == (row["status"], deputy_id):
            continue
        att.status = row["status"]
        att.deputising_for = deputy_for
        changed.append(att)
    if changed:
        bulk_update_with_history(changed, Attendance, ["status", "deputising_for"], batch_size=500)


@transaction.atomic
def guest_add(
    *,
    meeting: Meeting,
    person: Person | None = None,
    full_name: str = "",
    initials: str = "",
    organisation: str = "",
    status: str = AttendanceStatus.PRESENT,
) -> Attendance:
    """Add a guest to a meeting: an existing person, or a new one created from the name given."""
    lock_meeting_for_edit(meeting)
    if person is None:
        full_name, initials = full_name.strip(), initials.strip()
        if not full_name:
            raise ValidationError(
                {"full_name": "Give the guest's name, or choose someone the board knows."}, code="no_name"
            )
        if not initials:
            initials = "".join(part[0] for part in full_name.split() if part[:1].isalpha()).upper()[:10]
        # A new guest's initials must not read as a member's in the minutes of the day.
        check_initials(meeting.board, initials=initials, full_name=full_name, since=meeting.date, until=meeting.date)
        person = Person.objects.create(full_name=full_name, initials=initials, organisation=organisation.strip())
    if Attendance.objects.filter(meeting=meeting, person=person).exists():
        raise ValidationError(f"{person} is already on this meeting's list.", code="duplicate")
    return Attendance.objects.create(meeting=meeting, person=person, status=status, is_guest=True)


# --- Agenda -----------------------------------------------------------------------------------

ITEM_FIELDS = ["title", "purpose", "lead", "lead_text", "duration_minutes", "description"]


def _renumber(items: list[AgendaItem]) -> None:
    """Number the items 1, 2, 3… in the order given, writing (with history) only those that moved."""
    moved = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            moved.append(item)
    if moved:
        bulk_update_with_history(moved, AgendaItem, ["position"])


@transaction.atomic
def item_update(*, item: AgendaItem, expected_version: int, **values) -> AgendaItem:
    """Change an item's title, purpose, lead, time allowed or description (not its minutes)."""
    lock_meeting_for_edit(item.meeting)
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"Not an item field: {sorted(unknown)}")
    if "title" in values and not values["title"].strip():
        raise ValidationError({"title": "The item needs a title."}, code="no_title")
    for name, value in values.items():
        setattr(item, name, value)
    save_if_unchanged(item, expected_version=expected_version, fields=list(values))
    return item


@transaction.atomic
def item_minutes_save(*, item: AgendaItem, expected_version: int, notes: str, decisions: str) -> AgendaItem:
    """Save the minutes of one item, refused if someone else saved them since they were loaded."""
    lock_meeting_for_edit(item.meeting)
    item.notes, item.decisions = notes, decisions
    save_if_unchanged(item, expected_version=expected_version, fields=["notes", "decisions"])
    decisions_sync(item=item)
    return item


# A line's bullet or number ("- ", "• ", "2. ") is layout, not part of the decision.
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u2013]\s+|\d{1,2}[.)]\s+)")


def decision_lines(text: str) -> list[str]:
    """The decisions in an item's "Decisions" box: one a line, bullets dropped, blank lines skipped."""
    return [line for line in (_BULLET.sub("", raw).strip() for raw in (text or "").splitlines()) if line]


def decisions_sync(*, item: AgendaItem) -> list[Decision]:
    """Make the item's rows of the decisions register say what its "Decisions" box says, line by line.

    Call inside the transaction that saved the box, under the meeting's lock. Row n holds line n:
    a changed line updates its row, new lines add rows, removed ones delete theirs, each with its
    history row; unchanged rows are not written.
    """
    lines = decision_lines(item.decisions)
    rows = list(Decision.objects.filter(item=item).order_by("position"))
    kept = []
    for position, text in enumerate(lines, start=1):
        row = rows[position - 1] if position <= len(rows) else None
        if row is None:
            row = Decision.objects.create(item=item, meeting_id=item.meeting_id, position=position, text=text)
        elif row.text != text:
            row.text = text
            row.save(update_fields=["text"])
        kept.append(row)
    for row in rows[len(lines) :]:
        row.delete()
    return kept


@dataclass
class MinutesOutcome:
    """What minutes_save did with each item it was given."""

    saved: list[AgendaItem] = field(default_factory=list)
    unchanged: list[AgendaItem] = field(default_factory=list)
    # (the item as the editor sent it, the item as it stands: someone else's save)
    conflicts: list[tuple[AgendaItem, AgendaItem]] = field(default_factory=list)


@transaction.atomic
def minutes_save(*, meeting: Meeting, entries: list[tuple[AgendaItem, int, str, str]]) -> MinutesOutcome:
    """Save the minutes of several items of one meeting: (item, version it was based on, notes, decisions).

    Each item is version-checked on its own: an item someone else saved since is left as they
    saved it and reported as a conflict, the others are saved. Text equal to what is stored
    counts as saved whatever the version (an autosave and a Save click sending the same text).
    """
    lock_meeting_for_edit(meeting)
    outcome = MinutesOutcome()
    current = {i.pk: i for i in AgendaItem.objects.filter(meeting=meeting, pk__in=[e[0].pk for e in entries])}
    for item, expected_version, notes, decisions in entries:
        stored = current.get(item.pk)
        if stored is None:
            raise ValidationError("That item belongs to another meeting.", code="wrong_meeting")
        item.notes, item.decisions = notes, decisions
        if (stored.notes, stored.decisions) == (notes, decisions):
            item.version = stored.version
            outcome.unchanged.append(item)
        elif stored.version != expected_version:
            outcome.conflicts.append((item, stored))
        else:
            save_if_unchanged(item, expected_version=expected_version, fields=["notes", "decisions"])
            decisions_sync(item=item)
            outcome.saved.append(item)
    return outcome


@transaction.atomic
def item_add(
    *,
    meeting: Meeting,
    title: str,
    purpose: str = "information",
    lead: Person | None = None,
    lead_text: str = "",
    duration_minutes: int = 10,
    description: str = "",
    before_standing: bool = True,
) -> AgendaItem:
    """Add an item to the agenda: before the closing standing items (AOB, future items) unless asked otherwise."""
    lock_meeting_for_edit(meeting)
    if not title.strip():
        raise ValidationError({"title": "The item needs a title."}, code="no_title")
    live = list(meeting.items.live().order_by("position", "pk"))
    insert_at = len(live)
    if before_standing:
        # The closing standing items stay last: insert before the trailing run of them.
        while insert_at and live[insert_at - 1].is_closing:
            insert_at -= 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=insert_at + 1,
        title=title.strip(),
        purpose=purpose,
        lead=lead,
        lead_text=lead_text.strip(),
        duration_minutes=duration_minutes,
        description=description,
    )
    _renumber(live[:insert_at] + [item] + live[insert_at:])
    return item


@transaction.atomic
def item_remove(*, item: AgendaItem) -> None:
    """Take an item off the agenda; it keeps its record and history (soft delete)."""
    lock_meeting_for_edit(item.meeting)
    item.removed_at = timezone.now()
    item._change_reason = "Removed"
    item.save(update_fields=["removed_at"])
    _renumber(list(item.meeting.items.live().order_by("position", "pk")))


@transaction.atomic
def item_restore(*, item: AgendaItem, by=None) -> AgendaItem:
    """Put a removed item back on its agenda under the number it had (the items from there on move
    down one). Refused, like any edit, when the meeting's minutes are approved."""
    lock_meeting_for_edit(item.meeting)
    removed_at = AgendaItem.objects.filter(pk=item.pk).values_list("removed_at", flat=True).get()
    if removed_at is None:
        raise ValidationError(f"“{item.title}” is on the agenda already.", code="not_removed")
    live = list(item.meeting.items.live().order_by("position", "pk"))
    at = min(max(item.position - 1, 0), len(live))
    item.removed_at = None
    item._change_reason = "Restored"
    if by is not None:
        item._history_user = by
    item.save(update_fields=["removed_at"])
    _renumber(live[:at] + [item] + live[at:])
    return item


@transaction.atomic
def item_move(*, item: AgendaItem, direction: str) -> None:
    """Move an item one place up or down the agenda."""
    lock_meeting_for_edit(item.meeting)
    if direction not in ("up", "down"):
        raise ValidationError("Move an item up or down.", code="bad_direction")
    items = list(item.meeting.items.live().order_by("position", "pk"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items)


def item_start_times(meeting: Meeting, items: list[AgendaItem]) -> None:
    """Set `starts_at` (a time) on each item from the meeting's start and the durations before it."""
    # Minutes since midnight, wrapping at midnight: no date arithmetic (a meeting on 31 December
    # 9999 running past midnight would leave the calendar).
    clock = meeting.start_time.hour * 60 + meeting.start_time.minute
    for item in items:
        item.starts_at = datetime.time(*divmod(clock % (24 * 60), 60))
        clock += item.duration_minutes


# Papers: what boards circulate. Checked by extension, by what the file starts with and (Word and
# Excel) by the parts inside, so a renamed program, image or zip is refused whatever its name says.
PAPER_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls
PAPER_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (_OLE2,),
    ".xls": (_OLE2,),
}


# A .docx or .xlsx is a zip, but not every zip is one: it must hold Office's content-types part and
# the part its kind is built around. Only the zip's directory is read; nothing is unpacked.
OFFICE_PARTS = {".docx": ("Word", "word/document.xml"), ".xlsx": ("Excel", "xl/workbook.xml")}


def _looks_like(file, extension: str) -> bool:
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return head.startswith(PAPER_SIGNATURES[extension])


def _holds_office_parts(file, extension: str) -> bool:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return False
    finally:
        file.seek(0)
    return "[Content_Types].xml" in names and OFFICE_PARTS[extension][1] in names


@transaction.atomic
def paper_add(*, item: AgendaItem, title: str, file, by=None) -> Paper:
    """Attach a paper (PDF, Word or Excel, up to 20 MB) to an agenda item."""
    lock_meeting_for_edit(item.meeting)
    name = (getattr(file, "name", "") or "").lower()
    extension = next((ext for ext in PAPER_EXTENSIONS if name.endswith(ext)), None)
    if extension is None:
        raise ValidationError({"file": "Papers must be PDF, Word or Excel files."}, code="bad_type")
    if file.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "Papers may be at most 20 MB."}, code="too_big")
    if not _looks_like(file, extension):
        raise ValidationError(
            {"file": f"This file is not a real {extension} file, although its name says so."}, code="not_what_name_says"
        )
    if extension in OFFICE_PARTS and not _holds_office_parts(file, extension):
        program = OFFICE_PARTS[extension][0]
        raise ValidationError(
            {
                "file": f"This file is not a real {extension} file, although its name says so: it is a zip "
                f"archive without the parts every {program} file has. Save it from {program} and attach it again."
            },
            code="not_what_name_says",
        )
    return Paper.objects.create(item=item, title=title.strip() or file.name, file=file, uploaded_by=by)


@transaction.atomic
def item_defer(*, item: AgendaItem) -> AgendaItem:
    """Defer an item to the board's next meeting: a copy goes on that agenda, the original points to it."""
    meeting = item.meeting
    lock_meeting_for_edit(meeting)
    if item.deferred_to_id:
        raise ValidationError("This item is already deferred.", code="already_deferred")
    following = next_meeting_of(meeting)
    if following is None:
        raise ValidationError("Schedule the next meeting first: there is no meeting to defer to.", code="no_next")
    copy = item_add(
        meeting=following,
        title=item.title,
        purpose=item.purpose,
        lead=item.lead,
        lead_text=item.lead_text,
        duration_minutes=item.duration_minutes,
        description=item.description,
    )
    item.deferred_to = copy
    item.save(update_fields=["deferred_to"])
    return copy


def next_meeting_of(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(board_id=meeting.board_id)
        .filter(Q(date__gt=meeting.date) | Q(date=meeting.date, start_time__gt=meeting.start_time))
        .order_by("date", "start_time")
        .first()
    )


# --- Forward plan -----------------------------------------------------------------------------


@transaction.atomic
def topic_add(
    *,
    board: Board,
    title: str,
    description: str = "",
    proposed_by: Person | None = None,
    proposed_at: Meeting | None = None,
) -> Topic:
    """Propose a topic for a future meeting: it stays on the forward plan until it is scheduled."""
    if not title.strip():
        raise ValidationError({"title": "The topic needs a title."}, code="no_title")
    if proposed_at is not None and proposed_at.board_id != board.pk:
        raise ValidationError({"proposed_at": "That meeting belongs to another board."}, code="wrong_board")
    return Topic.objects.create(
        board=board, title=title.strip(), description=description, proposed_by=proposed_by, proposed_at=proposed_at
    )


@transaction.atomic
def topic_schedule(*, topic: Topic, meeting: Meeting) -> AgendaItem:
    """Schedule a forward-plan topic into a future meeting: it becomes an item on that agenda."""
    if meeting.board_id != topic.board_id:
        raise ValidationError("That meeting belongs to another board.", code="wrong_board")
    if topic.scheduled_item_id:
        raise ValidationError("This topic is already scheduled.", code="already_scheduled")
    if meeting.date < timezone.localdate():
        raise ValidationError({"meeting": "Choose a meeting that has not happened yet."}, code="past_meeting")
    item = item_add(
        meeting=meeting,
        title=topic.title,
        description=topic.description,
        lead=topic.proposed_by,
        purpose=Purpose.DISCUSSION,
    )
    topic.scheduled_item = item
    topic.save(update_fields=["scheduled_item"])
    return item


# --- Approval ---------------------------------------------------------------------------------


def _lock(meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the transaction ends, as it stands now."""
    return Meeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)


@transaction.atomic
def minutes_approve(*, meeting: Meeting, by) -> Meeting:
    """Approve the minutes: the meeting and everything in it is locked from now on, and the minutes
    are frozen as printed now (a new MinutesVersion, its PDF and Word files stored).

    The files are made by the `minutes_approved` signal's receiver (the documents app) in this
    transaction: if they cannot be made, nothing is approved.
    """
    locked = _lock(meeting)
    require(access_for(by, locked.board).may_approve, "Only the chair, vice chair or secretary may approve minutes.")
    if locked.is_locked:
        raise ValidationError("These minutes are already approved.", code="already_approved")
    locked.status = MeetingStatus.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_by = by
    locked.version += 1
    locked._change_reason = "Minutes approved"
    locked.save(update_fields=["status", "approved_at", "approved_by", "version"])
    number = (MinutesVersion.objects.filter(meeting=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    minutes_approved.send(sender=Meeting, meeting=locked, version=number, by=by)
    if not MinutesVersion.objects.filter(meeting=locked, number=number).exists():
        # Approved minutes without their frozen record would change with the log: never.
        raise ImproperlyConfigured("Approving minutes needs the documents app to freeze them; nothing was approved.")
    return locked


@transaction.atomic
def minutes_circulate(*, meeting: Meeting, by=None) -> Meeting:
    """Circulate the draft minutes: members may read them from now on (the meeting was held)."""
    locked = _lock(meeting)
    ensure_meeting_editable(locked)
    if locked.minutes_circulated_at is not None:
        raise ValidationError("These draft minutes were already circulated.", code="already_circulated")
    locked.minutes_circulated_at = timezone.now()
    if locked.status in (MeetingStatus.SCHEDULED, MeetingStatus.AGENDA_ISSUED):
        locked.status = MeetingStatus.HELD
    locked.version += 1
    locked._change_reason = "Draft minutes circulated"
    locked.save(update_fields=["minutes_circulated_at", "status", "version"])
    minutes_circulated.send(sender=Meeting, meeting=locked, by=by)
    return locked


@transaction.atomic
def agenda_issue(*, meeting: Meeting, by, updated: bool) -> Meeting:
    """Record that the agenda went out (notifications sends it): a scheduled meeting becomes
    "agenda issued"; a later status stays. Takes the meeting's lock; approved minutes refuse."""
    locked = _lock(meeting)
    require(access_for(by, locked.board).can_edit)
    ensure_meeting_editable(locked)
    if locked.status == MeetingStatus.SCHEDULED:
        locked.status = MeetingStatus.AGENDA_ISSUED
    locked.version += 1
    locked._change_reason = "Updated agenda issued" if updated else "Agenda issued"
    locked._history_user = by
    locked.save(update_fields=["status", "version"])
    return locked


REOPEN_REASON_PREFIX = "Reopened: "


@transaction.atomic
def minutes_reopen(*, meeting: Meeting, by, reason: str) -> Meeting:
    """Reopen approved minutes; the reopening (who, when, why) stays in the meeting's history."""
    locked = _lock(meeting)
    require(
        access_for(by, locked.board).may_reopen, "Only the chair, vice chair or secretary may reopen approved minutes."
    )
    if not locked.is_locked:
        raise ValidationError("These minutes are not approved, so there is nothing to reopen.", code="not_approved")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the minutes are reopened."}, code="no_reason")
    locked.status = MeetingStatus.HELD
    locked.approved_at = None
    locked.approved_by = None
    locked.version += 1
    # django-simple-history records who (the request's user) and when; the reason goes with it.
    locked._change_reason = (REOPEN_REASON_PREFIX + reason.strip())[:100]
    locked._history_user = by
    locked.save(update_fields=["status", "approved_at", "approved_by", "version"])
    return locked
