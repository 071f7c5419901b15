"""Boards, their people, meetings, agendas, minutes and forward plans."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from adoptboard.storage import CheckedFileField


class Role(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice chair"
    SECRETARY = "secretary", "Secretary (support)"
    MEMBER = "member", "Member"
    ADVISER = "adviser", "Adviser"
    OBSERVER = "observer", "Observer"


# Roles that may run the board: meetings, agenda, minutes, actions, people.
EDITOR_ROLES = (Role.CHAIR, Role.VICE_CHAIR, Role.SECRETARY)


class BoardQuerySet(models.QuerySet):
    def for_user(self, user):
        """The boards a user may see: staff see every board, others those they currently sit on."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(pk__in=list(current_seats(user)))


class MinutesLog(models.TextChoices):
    """How much of the action log a board's minutes print."""

    WHOLE = "whole", "The whole action log (every action, open or closed)"
    MEETING = "meeting", "The actions open at the meeting, and those raised or updated there"


# The standing items a new board starts with, in order (DESIGN.md "Words"): title, minutes
# allowed, and whether it is one of the closing items that stay last. Each board keeps its own
# list (Board.standing_items), edited on its settings page.
STANDING_ITEMS = [
    ("Welcome, introductions and apologies", 5, False),
    ("Minutes of the last meeting and matters arising", 5, False),
    ("Action log review", 10, False),
    ("Any other business", 5, True),
    ("Future agenda items and dates of next meetings", 5, True),
]


def default_standing_items() -> list[dict]:
    """A new board's standing items: {"title", "minutes", "closing"} each, in agenda order."""
    return [{"title": title, "minutes": minutes, "closing": closing} for title, minutes, closing in STANDING_ITEMS]


class Board(models.Model):
    """A standing group that meets and keeps a numbered action log."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    terms_of_reference = models.TextField(blank=True)
    default_place = models.CharField(max_length=200, blank=True)
    default_online_link = models.URLField(blank=True)
    default_start_time = models.TimeField(default=datetime.time(14, 0))
    default_duration_minutes = models.PositiveIntegerField(default=90)
    # The board's action-number counter: the next number an action gets. A board coming
    # from paper sets it to carry on its old numbering; it only ever goes up.
    next_action_number = models.PositiveIntegerField(default=1)
    # Seed 000's minutes carry the whole log; the April 2025 notes only what the meeting dealt with.
    minutes_log = models.CharField(
        "action log in the minutes", max_length=20, choices=MinutesLog.choices, default=MinutesLog.WHOLE
    )
    reminder_days = models.PositiveSmallIntegerField(
        "reminders, days before a meeting",
        default=7,
        help_text="How many days before each meeting people are reminded of their open actions.",
    )
    # Adoption boards often forbid attachments: by default messages carry a link to the app.
    email_attachments = models.BooleanField(
        "attach documents to emails", default=False, help_text="Otherwise messages carry a link only."
    )
    email_minutes_text = models.BooleanField(
        "minutes text in emails", default=False, help_text="Otherwise no minutes text is put in a message's body."
    )
    require_two_factor = models.BooleanField("chair, vice chair and secretary must use two-factor login", default=False)
    # What "Schedule a meeting" puts on every agenda: [{"title", "minutes", "closing"}, ...] in
    # order, closing items last (meetings.services_board.board_settings_save keeps them so).
    standing_items = models.JSONField(default=default_standing_items, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every settings save through the app; a save based on an older version is refused.
    # (Raising actions moves the counter, not the version: the counter has its own rule.)
    version = models.PositiveIntegerField(default=1)

    objects = BoardQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(next_action_number__gte=1), name="board_next_action_number_positive"),
            models.CheckConstraint(
                condition=Q(default_duration_minutes__gte=1), name="board_default_duration_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("meetings:board-detail", kwargs={"slug": self.slug})

    @property
    def default_end_time(self) -> datetime.time:
        start = datetime.datetime.combine(datetime.date(2000, 1, 1), self.default_start_time)
        return (start + datetime.timedelta(minutes=self.default_duration_minutes)).time()


class Person(models.Model):
    """Someone who sits on or attends boards, named in minutes by their initials."""

    full_name = models.CharField(max_length=200, blank=True)
    initials = models.CharField(max_length=10)
    organisation = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "initials"]
        verbose_name_plural = "people"
        constraints = [
            # Invitations and password resets go by email: one person per address, whatever its case.
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="person_email_unique",
                violation_error_message="Another person already has this email address: one person per address.",
            ),
        ]

    def __str__(self):
        return self.full_name or self.initials

    @property
    def label(self) -> str:
        """Name with organisation, as agendas write it: "Lorna Hunt (PACT)"."""
        return f"{self} ({self.organisation})" if self.organisation else str(self)


class MembershipQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(since__isnull=True) | Q(since__lte=on)).filter(Q(until__isnull=True) | Q(until__gte=on))


def current_seats(user) -> dict[int, frozenset[str]]:
    """The boards a user sits on today, each with the roles of their seats there.

    Read once for each user object, which Django makes afresh for every request (adoptboard.auth),
    and kept on it: every page asks twice (the access check, the navigation's count), and building
    the seat subqueries into those queries cost about 2 ms a page, where running them cost 0.1.
    A seat counts between its since and until dates: not before it starts, not after it ends.
    """
    seats = getattr(user, "_current_seats", None)
    if seats is None:
        roles: dict[int, set[str]] = {}
        rows = Membership.objects.current().filter(person__user=user).values_list("board_id", "role")
        for board_id, role in rows:
            roles.setdefault(board_id, set()).add(role)
        seats = user._current_seats = {board_id: frozenset(r) for board_id, r in roles.items()}
    return seats


class Membership(models.Model):
    """A person's seat on a board, with a role, from one date until another."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    # How the board's documents print the seat, e.g. "CHAIR Milton Keynes", "VICE CHAIR".
    role_label = models.CharField(
        "role as the documents print it",
        max_length=100,
        blank=True,
        help_text='e.g. "CHAIR Milton Keynes"; leave blank to print the role.',
    )
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "person", "since"], name="membership_unique_start"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
                violation_error_message="A seat cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}, {self.board}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    AGENDA_ISSUED = "agenda_issued", "Agenda issued"
    HELD = "held", "Held"
    APPROVED = "approved", "Minutes approved"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, today: datetime.date | None = None):
        return self.filter(date__gte=today or timezone.localdate()).order_by("date", "start_time")

    def past(self, today: datetime.date | None = None):
        return self.filter(date__lt=today or timezone.localdate()).order_by("-date", "-start_time")


class Meeting(models.Model):
    """A board's meeting on a date: its invitees, agenda and minutes."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    place = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    minutes_circulated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped on every save through the app; a save that read an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["board", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="meeting_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.board.short_name or self.board.name}, {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("meetings:meeting-detail", kwargs={"slug": self.board.slug, "pk": self.pk})

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.start_time))

    @property
    def is_locked(self) -> bool:
        """Approved minutes may not change until the chair reopens them."""
        return self.status == MeetingStatus.APPROVED

    def meetings_touched(self) -> list["Meeting"]:
        """The meetings whose record a write to this row changes (see meetings.admin.LockedWhenApproved)."""
        return [self] if self.pk else []


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    """A person at a meeting: invited, present, apologies or absent; maybe a deputy or a guest."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED)
    deputising_for = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="deputised_by"
    )
    is_guest = models.BooleanField(default=False, help_text="Attends without being a member of the board.")
    note = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_one_per_person"),
            models.CheckConstraint(condition=~Q(deputising_for=models.F("person")), name="attendance_not_own_deputy"),
        ]
        verbose_name_plural = "attendance"

    def __str__(self):
        return f"{self.person}: {self.get_status_display()}"

    def meetings_touched(self) -> list[Meeting]:
        return [self.meeting] if self.meeting_id else []


class Purpose(models.TextChoices):
    INFORMATION = "information", "Information"
    DISCUSSION = "discussion", "Discussion"
    DECISION = "decision", "Decision"


class AgendaItemQuerySet(models.QuerySet):
    def live(self):
        return self.filter(removed_at__isnull=True)


class AgendaItem(models.Model):
    """A numbered item on a meeting's agenda, and its minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.INFORMATION)
    lead = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_items")
    lead_text = models.CharField("lead (free text)", max_length=200, blank=True)
    duration_minutes = models.PositiveIntegerField(default=10)
    description = models.TextField(blank=True)
    is_standing = models.BooleanField(default=False)
    # The closing items (any other business, future items and dates) stay at the end of the
    # agenda: new items go before them, whatever they are called.
    is_closing = models.BooleanField(default=False)
    notes = models.TextField("minutes: discussion notes", blank=True)
    decisions = models.TextField("minutes: decisions", blank=True)
    deferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="deferred_from"
    )
    # Removed items keep their record and history; they only leave the agenda.
    removed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = AgendaItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__lte=24 * 60), name="agendaitem_duration_sane"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.meeting.get_absolute_url()}#item-{self.pk}"

    @property
    def lead_label(self) -> str:
        return self.lead.initials if self.lead_id else self.lead_text

    @property
    def is_declarations(self) -> bool:
        """The standing item "Declarations of interest": the minutes print the declarations under it."""
        return self.title.strip().casefold().startswith(("declarations of interest", "declaration of interest"))

    def meetings_touched(self) -> list[Meeting]:
        return [self.meeting] if self.meeting_id else []


def paper_upload_to(instance, filename):
    return f"papers/{instance.item.meeting.board.slug}/{instance.item.meeting_id}/{filename}"


class Paper(models.Model):
    """A file attached to an agenda item ("Annex A")."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    # In the default storage (local disk or object storage); its `.url` is the download view below.
    file = CheckedFileField(upload_to=paper_upload_to, max_length=300)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The access-checked download: the only way a paper leaves the app."""
        item = self.item
        return reverse("meetings:paper-download", args=[item.meeting.board.slug, item.meeting_id, item.pk, self.pk])

    def meetings_touched(self) -> list[Meeting]:
        return [self.item.meeting] if self.item_id else []


def minutes_upload_to(instance, filename):
    return f"minutes/{instance.meeting.board.slug}/{instance.meeting_id}/{filename}"


class MinutesVersion(models.Model):
    """Approved minutes as they were printed at the approval: the PDF and Word files, frozen.

    Made at each approval (meetings.services.minutes_approve; the documents app renders them):
    version 1 at the first, version 2 after a reopening, and so on. Every later download of
    approved minutes serves the stored files, whatever changes afterwards in the action log,
    among the people or on the board.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_versions")
    number = models.PositiveIntegerField()
    approved_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # In the default storage, like papers; `.url` is the access-checked download view.
    pdf = CheckedFileField(upload_to=minutes_upload_to, max_length=300, url_method="get_pdf_url")
    docx = CheckedFileField(upload_to=minutes_upload_to, max_length=300, url_method="get_docx_url")
    pdf_sha256 = models.CharField(max_length=64)
    docx_sha256 = models.CharField(max_length=64)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutesversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="minutesversion_number_positive"),
        ]

    def __str__(self):
        return f"Minutes of {self.meeting}, version {self.number}"

    def _url(self, name: str) -> str:
        return reverse(
            f"documents:meeting-minutes-version-{name}",
            kwargs={"slug": self.meeting.board.slug, "pk": self.meeting_id, "version": self.number},
        )

    def get_pdf_url(self) -> str:
        return self._url("pdf")

    def get_docx_url(self) -> str:
        return self._url("docx")

    get_absolute_url = get_pdf_url


class Topic(models.Model):
    """A proposed topic on a board's forward plan, until it is scheduled into a meeting."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposed_topics"
    )
    proposed_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposed_topics"
    )
    proposed_on = models.DateField(default=timezone.localdate)
    scheduled_item = models.OneToOneField(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="topic"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "proposed_on", "pk"]

    def __str__(self):
        return self.title


class Decision(models.Model):
    """A decision recorded at an agenda item: one row of the board's decisions register.

    The secretary writes decisions in the item's "Decisions" box, one a line; saving the minutes
    keeps these rows in step with it (meetings.services.decisions_sync), so the box stays the one
    place they are typed and the register the one place they are searched.
    """

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decision_rows")
    # The item's meeting, kept beside it: the register filters and orders by meeting.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveIntegerField(default=1)
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "item", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="decision_position_unique_per_item"),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return self.item.get_absolute_url()


class Declaration(models.Model):
    """A declaration of interest at a meeting: a person, the item it concerns, the interest —
    or, with `none_declared`, their word that they have none."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="declarations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="declarations")
    # The item the interest concerns; empty for a general interest or "none declared".
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations")
    interest = models.TextField(blank=True)
    none_declared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__full_name", "person__initials", "pk"]
        constraints = [
            # "None declared" once per person and meeting, and then nothing else for them there
            # (the service replaces one by the other).
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(none_declared=True), name="declaration_none_once"
            ),
            models.CheckConstraint(
                condition=Q(none_declared=True, interest="", item__isnull=True)
                | (Q(none_declared=False) & ~Q(interest="")),
                name="declaration_interest_or_none",
                violation_error_message="Give the interest declared, or record that none was declared.",
            ),
        ]

    def __str__(self):
        return f"{self.person}: {'none declared' if self.none_declared else self.interest[:60]}"

    def get_absolute_url(self):
        return reverse("meetings:meeting-declarations", kwargs={"slug": self.meeting.board.slug, "pk": self.meeting_id})

    def meetings_touched(self) -> list[Meeting]:
        return [self.meeting] if self.meeting_id else []
