from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from adoptboard.concurrency import MovesVersionOn
from meetings.admin import LockedWhenApproved, MeetingWritesChecked

from .models import Action, ActionUpdate, Responsibility
from .services import allocate_action_number


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["person"]


class ActionUpdateInline(MeetingWritesChecked, admin.TabularInline):
    """An update recorded "at" a meeting is part of its record: not at an approved one, added or changed."""

    model = ActionUpdate
    extra = 0
    fields = ["created_at", "meeting", "status_before", "status_after", "note", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return False

    autocomplete_fields = ["meeting"]


@admin.register(Action)
class ActionAdmin(MeetingWritesChecked, MovesVersionOn, SimpleHistoryAdmin):
    # An action raised at an approved meeting stays editable (its status moves on, as on its page);
    # it cannot be raised at, or moved to, an approved meeting or one of its items.
    all_touched = False

    list_display = ["number", "short_text", "board", "issued_on", "status", "whole_board", "removed_at"]
    list_display_links = ["number", "short_text"]
    list_filter = ["board", "status", "whole_board"]
    search_fields = ["text", "status_note", "=number"]
    autocomplete_fields = ["meeting", "agenda_item", "target_meeting"]
    readonly_fields = ["number", "created_at", "updated_at", "version"]
    list_select_related = ["board"]
    date_hierarchy = "issued_on"
    inlines = [ResponsibilityInline, ActionUpdateInline]

    def has_delete_permission(self, request, obj=None):
        # Numbers are never reused and the log keeps its record: actions are removed in the app
        # (actions.services.action_remove), never deleted.
        return False

    @admin.display(description="action")
    def short_text(self, obj):
        return obj.text[:80]

    def save_model(self, request, obj, form, change):
        # New actions take the board's next number, as everywhere else in the app (the admin
        # saves in one transaction with the counter's lock).
        if not change:
            obj.number = allocate_action_number(obj.board)
        super().save_model(request, obj, form, change)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(LockedWhenApproved, SimpleHistoryAdmin):
    list_display = ["action", "created_at", "meeting", "status_before", "status_after", "created_by"]
    list_filter = ["status_after", "action__board"]
    search_fields = ["note", "action__text"]
    autocomplete_fields = ["action", "meeting"]
    list_select_related = ["action__board", "meeting__board", "created_by"]

    def has_delete_permission(self, request, obj=None):
        # An action's updates are its history: corrected (with their own history), never deleted.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # "This action log was updated on" reads the actions' times: an update counts as a change to its action.
        Action.objects.filter(pk=obj.action_id).update(updated_at=timezone.now())
