from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AgendaItem, Attendance, Board, Meeting, Membership, Paper, Person, Topic


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "short_name", "default_start_time", "next_action_number"]
    search_fields = ["name", "slug", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "initials", "organisation", "job_title", "email", "user"]
    list_filter = ["memberships__board"]
    search_fields = ["full_name", "initials", "organisation", "email"]
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "board", "role", "since", "until"]
    list_filter = ["board", "role"]
    search_fields = ["person__full_name", "person__initials", "board__name"]
    autocomplete_fields = ["person", "board"]
    list_select_related = ["person", "board"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fk_name = "meeting"
    extra = 0
    autocomplete_fields = ["person", "deputising_for"]


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    fk_name = "meeting"
    extra = 0
    fields = [("position", "title", "purpose"), ("lead", "lead_text", "duration_minutes"), "is_standing", "description", "notes", "decisions"]
    autocomplete_fields = ["lead"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "board", "date", "start_time", "end_time", "place", "status"]
    list_filter = ["board", "status", "date"]
    search_fields = ["title", "place", "board__name"]
    date_hierarchy = "date"
    list_select_related = ["board"]
    readonly_fields = ["approved_at", "approved_by", "version"]
    inlines = [AttendanceInline, AgendaItemInline]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["person", "meeting", "status", "deputising_for", "is_guest"]
    list_filter = ["status", "is_guest", "meeting__board"]
    search_fields = ["person__full_name", "person__initials"]
    autocomplete_fields = ["person", "deputising_for", "meeting"]
    list_select_related = ["person", "meeting__board", "deputising_for"]


class PaperInline(admin.TabularInline):
    model = Paper
    extra = 0
    readonly_fields = ["uploaded_at", "uploaded_by"]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "position", "purpose", "lead", "duration_minutes", "is_standing", "removed_at"]
    list_filter = ["purpose", "is_standing", "meeting__board"]
    search_fields = ["title", "description", "notes", "decisions"]
    autocomplete_fields = ["meeting", "lead", "deferred_to"]
    list_select_related = ["meeting__board", "lead"]
    inlines = [PaperInline]


@admin.register(Paper)
class PaperAdmin(SimpleHistoryAdmin):
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
