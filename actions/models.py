"""A board's numbered actions and the dated updates that make up their history."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from meetings.models import AgendaItem, Board, Meeting, Person

# The longest action the forms take (the seeds' longest is under 400 characters): long enough for
# any real action, short enough that a page of them prints in good time.
ACTION_TEXT_MAX = 5000


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    CLOSED = "closed", "Closed"


# Statuses that keep an action on the review list of the next meeting.
OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)


class ActionQuerySet(models.QuerySet):
    def live(self):
        return self.filter(removed_at__isnull=True)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_people(self):
        """Each action's responsible people, in order, in one query (what `Action.people` reads).

        Into a plain list (`to_attr`) rather than the related manager's cache: filling that cache
        clones a queryset per action, about 2 ms on a page of 50 rows.
        """
        return self.prefetch_related(
            models.Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("person").order_by("position", "pk"),
                to_attr="responsibility_list",
            )
        )


class Action(models.Model):
    """A numbered action of a board: text, who answers for it, where it came from, its status."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField(editable=False)
    text = models.TextField()
    responsible = models.ManyToManyField(Person, blank=True, through="Responsibility", related_name="actions")
    whole_board = models.BooleanField(default=False, help_text='The whole board answers for it ("all").')
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_raised"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_raised"
    )
    issued_on = models.DateField(help_text="When it was raised; the log shows month and year.")
    due_date = models.DateField(null=True, blank=True)
    target_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_due"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Removed actions keep their number (never reused), record and history.
    removed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # Raised from an "Action:" line of its item's minutes: that line's fingerprint
    # (actions.lines.fingerprint). The line is then never offered again, and the constraint below
    # makes raising it twice impossible, however the confirmations race.
    source_line = models.CharField(max_length=64, blank=True, default="", editable=False)
    # PostgreSQL's full-text document of the action: its text, status note and every update's
    # note. Kept by database triggers on both tables, whatever writes them, and GIN-indexed
    # (migration 0004). Other databases leave it empty and search with LIKE (actions.filters).
    search_document = SearchVectorField(null=True, editable=False)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_document"])

    class Meta:
        ordering = ["board", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["board", "number"], name="action_number_unique_per_board"),
            models.CheckConstraint(condition=Q(number__gte=1), name="action_number_positive"),
            models.UniqueConstraint(
                fields=["agenda_item", "source_line"],
                condition=~Q(source_line=""),
                name="action_line_raised_once",
                violation_error_message="This line of the minutes is already raised as an action.",
            ),
        ]
        indexes = [
            models.Index(fields=["board", "status"]),
            models.Index(fields=["board", "issued_on"]),
            # "This action log was updated on …": the newest change of a board's actions.
            models.Index(fields=["board", "updated_at"], name="action_board_updated"),
            # A board's live actions by id alone: the log's count and "who is named on its
            # actions" (joined to responsibilities by id) read this index, not the wide rows
            # (at 50,000 actions on PostgreSQL: count 64 -> 9 ms).
            models.Index(fields=["board", "id"], condition=Q(removed_at__isnull=True), name="action_live_board_id"),
            # A board's open actions, with what "answered by" asks of them: the navigation's count of
            # the user's open actions (every page) and My actions read this index alone.
            models.Index(
                fields=["board", "id", "whole_board"],
                condition=Q(removed_at__isnull=True, status__in=OPEN_STATUSES),
                name="action_open_board_id",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("actions:action-detail", kwargs={"slug": self.board.slug, "number": self.number})

    def meetings_touched(self) -> list[Meeting]:
        """Raised at a meeting (or one of its items): part of that meeting's minutes."""
        meetings = [self.meeting] if self.meeting_id else []
        if self.agenda_item_id and self.agenda_item.meeting_id != self.meeting_id:
            meetings.append(self.agenda_item.meeting)
        return meetings

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def people(self) -> list[Person]:
        """The people responsible, in the order the minutes name them (prefetch with `with_people()`)."""
        rows = getattr(self, "responsibility_list", None)
        if rows is None:  # not fetched with with_people(): the manager (a plain prefetch, or a query)
            rows = self.responsibilities.all()
        return [r.person for r in rows]

    def responsible_label(self) -> str:
        """Initials as the log writes them: "RE/MH", "all", "MH and all"."""
        return responsible_label([p.initials for p in self.people], whole_board=self.whole_board)


def responsible_label(initials: list[str], *, whole_board: bool) -> str:
    """The log's "Responsible" cell from the initials in order: "RE/MH", "all", "MH and all"."""
    joined = "/".join(initials)
    if whole_board:
        return f"{joined} and all" if joined else "all"
    return joined


class Responsibility(models.Model):
    """A person answering for an action; `position` keeps the order the minutes wrote ("RE/MH")."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="responsibilities")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="responsibilities")
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        # By the column, not "action": that would order by Action's own ordering, through joins.
        ordering = ["action_id", "position", "pk"]
        verbose_name_plural = "responsibilities"
        constraints = [models.UniqueConstraint(fields=["action", "person"], name="responsibility_once_per_action")]
        # "The actions someone answers for" (their open actions on every page) from the index alone.
        # The person's own index stays: dropping it would rebuild the table on SQLite, and its triggers.
        indexes = [models.Index(fields=["person", "action"], name="responsibility_person_action")]

    def __str__(self):
        return f"{self.person.initials} on action {self.action.number}"


class NamedPerson(models.Model):
    """Someone named on one of a board's actions (removed ones too: they can be restored): whom the
    log's "Responsible" filter and the forms offer beside the board's members and guests
    (selectors.people_known_to).

    Written by the database alone (migration 0007: triggers on responsibilities, however they are
    written: services, bulk writes, the admin, an import), never by the app. Reading it is
    one index range per board; finding the same people read every responsibility of the board's
    actions, 4-5 ms on every log and meeting page of a board with 10,000 actions.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "person"], name="namedperson_once_per_board")]

    def __str__(self):
        return f"{self.person} named on {self.board}"


class ActionUpdate(models.Model):
    """A dated note on an action, at a meeting or between meetings, with the status before and after."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_updates"
    )
    note = models.TextField(blank=True)
    status_before = models.CharField(max_length=20, choices=Status.choices)
    status_after = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["action_id", "created_at", "pk"]
        indexes = [
            models.Index(fields=["action", "created_at"]),
        ]

    def __str__(self):
        return f"Update on action {self.action.number}: {self.get_status_before_display()} → {self.get_status_after_display()}"

    def meetings_touched(self) -> list[Meeting]:
        """Recorded "at" a meeting: part of that meeting's record."""
        return [self.meeting] if self.meeting_id else []


class DroppedActionLine(models.Model):
    """An "Action:" line of an item's minutes that the secretary chose not to raise: never offered again."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="dropped_action_lines")
    fingerprint = models.CharField(max_length=64)
    # The line as it read when dropped, for the audit trail.
    line = models.TextField()
    dropped_at = models.DateTimeField(auto_now_add=True)
    dropped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "dropped_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "fingerprint"], name="action_line_dropped_once")]

    def __str__(self):
        return f"Dropped: {self.line[:60]}"
