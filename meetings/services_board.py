"""Writes to a board itself: creating one, and its settings page (usual time and place, standing
items, email settings, the next action number).

Every write takes the board's row lock first (the same lock that numbers actions), so a settings
save and a raised action queue up and the "raisable only" rule is judged on the counter as it is.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from adoptboard.concurrency import save_if_unchanged

from .models import Board, MinutesLog
from .permissions import require

# /boards/new/ is the page that creates boards: no board may take "new" as its address.
RESERVED_SLUGS = {"new"}
MAX_STANDING_ITEMS = 30

SETTINGS_FIELDS = [
    "name",
    "short_name",
    "terms_of_reference",
    "default_place",
    "default_online_link",
    "default_start_time",
    "default_duration_minutes",
    "minutes_log",
    "reminder_days",
    "email_attachments",
    "email_minutes_text",
    "require_two_factor",
    "standing_items",
    "next_action_number",
]


def lock_board(board: Board) -> int:
    """Lock the board's row until the transaction ends; return its action counter as it is now."""
    return Board.objects.select_for_update().values_list("next_action_number", flat=True).get(pk=board.pk)


def lowest_next_action_number(board: Board) -> int:
    """The lowest the board's next action number may be: past every number used and the counter.

    Reads the board's actions through the reverse relation's name, so the meetings domain keeps
    its one-way dependency (it never imports the action log's code).
    """
    row = Board.objects.filter(pk=board.pk).aggregate(highest=Max("actions__number"), counter=Max("next_action_number"))
    return max((row["highest"] or 0) + 1, row["counter"] or 1)


def clean_standing_items(items: list[dict]) -> list[dict]:
    """The standing items as stored: titles trimmed, minutes checked, closing items last (in their order)."""
    cleaned = []
    for position, item in enumerate(items, start=1):
        title = str(item.get("title", "")).strip()
        minutes = item.get("minutes")
        if not title:
            raise ValidationError({"standing_items": f"Standing item {position} needs a title."}, code="no_title")
        if len(title) > 300:
            raise ValidationError(
                {"standing_items": f"Standing item {position}'s title is longer than 300 characters."}, code="too_long"
            )
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 24 * 60:
            raise ValidationError(
                {"standing_items": f"“{title}”: allow between 1 minute and 24 hours."}, code="bad_duration"
            )
        cleaned.append({"title": title, "minutes": minutes, "closing": bool(item.get("closing"))})
    if len(cleaned) > MAX_STANDING_ITEMS:
        raise ValidationError(
            {"standing_items": f"Keep to {MAX_STANDING_ITEMS} standing items at most."}, code="too_many"
        )
    # The closing items (any other business, dates of next meetings) end every agenda.
    return [i for i in cleaned if not i["closing"]] + [i for i in cleaned if i["closing"]]


@transaction.atomic
def board_settings_save(*, board: Board, expected_version: int, **values) -> Board:
    """Save the board's settings page; refused if someone saved it since it was loaded.

    `next_action_number` only goes up: never below a number already used, nor below the counter
    (an action raised meanwhile moves the counter on, and the lower number is refused).
    """
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a board setting: {sorted(unknown)}")
    lock_board(board)
    errors = {}
    if "name" in values and not values["name"].strip():
        errors["name"] = "The board needs a name."
    if "default_duration_minutes" in values and not 1 <= values["default_duration_minutes"] <= 24 * 60:
        errors["default_duration_minutes"] = "Allow between 1 minute and 24 hours."
    if "minutes_log" in values and values["minutes_log"] not in MinutesLog.values:
        errors["minutes_log"] = "Choose how much of the action log the minutes print."
    if "reminder_days" in values and not 0 <= values["reminder_days"] <= 60:
        errors["reminder_days"] = "Between 0 (no reminders) and 60 days."
    if "next_action_number" in values:
        lowest = lowest_next_action_number(board)
        if values["next_action_number"] < lowest:
            errors["next_action_number"] = (
                f"The next action number can only go up: it is {lowest} now, and numbers below it are used "
                f"or were handed out. Give {lowest} or more."
            )
    if "standing_items" in values:
        try:
            values["standing_items"] = clean_standing_items(values["standing_items"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")
    for name in ("name", "short_name"):
        if name in values:
            values[name] = values[name].strip()
    for name, value in values.items():
        setattr(board, name, value)
    save_if_unchanged(board, expected_version=expected_version, fields=list(values))
    return board


def board_slug_for(name: str, slug: str = "") -> str:
    """The address a new board gets: the one given, or one made from its name."""
    return slugify(slug or name)[:60].strip("-")


@transaction.atomic
def board_create(
    *,
    name: str,
    slug: str = "",
    short_name: str = "",
    default_start_time: datetime.time = datetime.time(14, 0),
    default_duration_minutes: int = 90,
    by,
) -> Board:
    """Create an empty board (staff only): its settings, standing items and next number are the defaults."""
    require(by is not None and by.is_staff, "Only staff create boards.")
    if not name.strip():
        raise ValidationError({"name": "The board needs a name."}, code="no_name")
    slug = board_slug_for(name, slug)
    if not slug:
        raise ValidationError({"slug": "Give the board an address of letters, digits and hyphens."}, code="bad_slug")
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved: choose another address."}, code="reserved_slug")
    if Board.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"Another board already has the address “{slug}”."}, code="slug_taken")
    return Board.objects.create(
        name=name.strip(),
        slug=slug,
        short_name=short_name.strip(),
        default_start_time=default_start_time,
        default_duration_minutes=default_duration_minutes,
    )
