from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from adoptboard.concurrency import MovesVersionOn

from .models import (
    AgendaItem,
    Attendance,
    Board,
    Declaration,
    Meeting,
    Membership,
    MinutesVersion,
    Paper,
    Person,
    Topic,
)
from .services import decisions_sync


class LockedWhenApproved:
    """Approved minutes are immutable in the admin too, until the chair reopens them in the app."""

    meeting_path: str = "meeting"

    def meeting_of(self, obj):
        # "" means obj is the meeting itself (a meeting's admin, or an inline whose parent is the meeting).
        for part in filter(None, self.meeting_path.split(".")):
            obj = getattr(obj, part)
        return obj

    def _locked(self, obj) -> bool:
        meeting = self.meeting_of(obj) if obj is not None else None
        return meeting is not None and meeting.is_locked

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        # Inlines get the parent object; model admins get no obj.
        if obj is not None and self._locked(obj):
            return False
        return (
            super().has_add_permission(request, obj)
            if isinstance(self, admin.options.InlineModelAdmin)
            else super().has_add_permission(request)
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]
    readonly_fields = ["version"]


@admin.register(Board)
class BoardAdmin(MovesVersionOn, SimpleHistoryAdmin):
    list_display = ["name", "slug", "short_name", "default_start_time", "next_action_number"]
    readonly_fields = ["version"]
    search_fields = ["name", "slug", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(MovesVersionOn, SimpleHistoryAdmin):
    readonly_fields = ["version"]
    list_display = ["full_name", "initials", "organisation", "job_title", "email", "user"]
    list_filter = ["memberships__board"]
    search_fields = ["full_name", "initials", "organisation", "email"]
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(MovesVersionOn, SimpleHistoryAdmin):
    readonly_fields = ["version"]
    list_display = ["person", "board", "role", "since", "until"]
    list_filter = ["board", "role"]
    search_fields = ["person__full_name", "person__initials", "board__name"]
    autocomplete_fields = ["person", "board"]
    list_select_related = ["person", "board"]


class AttendanceInline(LockedWhenApproved, admin.TabularInline):
    meeting_path = ""
    model = Attendance
    fk_name = "meeting"
    extra = 0
    autocomplete_fields = ["person", "deputising_for"]


class AgendaItemInline(LockedWhenApproved, admin.StackedInline):
    meeting_path = ""
    model = AgendaItem
    fk_name = "meeting"
    extra = 0
    fields = [
        ("position", "title", "purpose"),
        ("lead", "lead_text", "duration_minutes"),
        "is_standing",
        "description",
        "notes",
        "decisions",
    ]
    autocomplete_fields = ["lead"]


@admin.register(Meeting)
class MeetingAdmin(LockedWhenApproved, MovesVersionOn, SimpleHistoryAdmin):
    meeting_path = ""
    list_display = ["__str__", "board", "date", "start_time", "end_time", "place", "status"]
    list_filter = ["board", "status", "date"]
    search_fields = ["title", "place", "board__name"]
    date_hierarchy = "date"
    list_select_related = ["board"]
    # Circulating, approving and reopening happen in the app, through their services and rules.
    readonly_fields = ["status", "minutes_circulated_at", "approved_at", "approved_by", "version"]
    inlines = [AttendanceInline, AgendaItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The decisions register follows each item's "Decisions" box, whoever edits it.
        for item in form.instance.items.all():
            decisions_sync(item=item)


@admin.register(Attendance)
class AttendanceAdmin(LockedWhenApproved, SimpleHistoryAdmin):
    list_display = ["person", "meeting", "status", "deputising_for", "is_guest"]
    list_filter = ["status", "is_guest", "meeting__board"]
    search_fields = ["person__full_name", "person__initials"]
    autocomplete_fields = ["person", "deputising_for", "meeting"]
    list_select_related = ["person", "meeting__board", "deputising_for"]


class PaperInline(LockedWhenApproved, admin.TabularInline):
    meeting_path = "meeting"

    model = Paper
    extra = 0
    readonly_fields = ["uploaded_at", "uploaded_by"]


@admin.register(AgendaItem)
class AgendaItemAdmin(LockedWhenApproved, MovesVersionOn, SimpleHistoryAdmin):
    list_display = ["title", "meeting", "position", "purpose", "lead", "duration_minutes", "is_standing", "removed_at"]
    list_filter = ["purpose", "is_standing", "meeting__board"]
    search_fields = ["title", "description", "notes", "decisions"]
    autocomplete_fields = ["meeting", "lead", "deferred_to"]
    list_select_related = ["meeting__board", "lead"]
    inlines = [PaperInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        decisions_sync(item=obj)


# Decisions have no admin of their own: they are the rows of their item's "Decisions" box
# (meetings.services.decisions_sync), edited with the item.


@admin.register(Declaration)
class DeclarationAdmin(LockedWhenApproved, SimpleHistoryAdmin):
    list_display = ["person", "meeting", "item", "interest", "none_declared"]
    list_filter = ["meeting__board", "none_declared"]
    search_fields = ["person__full_name", "person__initials", "interest"]
    autocomplete_fields = ["meeting", "person", "item"]
    list_select_related = ["person", "meeting__board", "item"]


@admin.register(Paper)
class PaperAdmin(LockedWhenApproved, SimpleHistoryAdmin):
    meeting_path = "item.meeting"

    list_display = ["title", "item", "uploaded_at", "uploaded_by"]
    search_fields = ["title", "item__title"]
    autocomplete_fields = ["item"]
    list_select_related = ["item", "uploaded_by"]


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["title", "board", "proposed_by", "proposed_on", "scheduled_item"]
    list_filter = ["board"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["proposed_by", "proposed_at", "scheduled_item"]
    list_select_related = ["board", "proposed_by", "scheduled_item"]


@admin.register(MinutesVersion)
class MinutesVersionAdmin(SimpleHistoryAdmin):
    """Frozen approved minutes: made only by approving them in the app, never changed or deleted."""

    list_display = ["meeting", "number", "approved_at", "approved_by"]
    list_filter = ["meeting__board"]
    list_select_related = ["meeting__board", "approved_by"]
    readonly_fields = ["meeting", "number", "approved_at", "approved_by", "pdf", "docx", "pdf_sha256", "docx_sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
