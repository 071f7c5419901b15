from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from meetings.concurrency import MovesVersionOn

from .models import Action, ActionUpdate, Responsibility
from .services import allocate_action_number, log_changed


class ChangesActionLog:
    """Admin writes move the action log's version on, as the app's services do.

    First, before the rows are written: the same lock order (board, then actions) as the
    services, and the page's cached table is never filed under a version older than it shows.
    """

    board_lookup = "board_id"  # from a row to its board's id

    def log_boards(self, obj) -> list[int]:
        return [obj.board_id]

    def log_boards_of(self, queryset) -> list[int]:
        # For deleting many rows at once: one query, not one a row.
        return list(queryset.values_list(self.board_lookup, flat=True).distinct())

    def save_model(self, request, obj, form, change):
        log_changed(*self.log_boards(obj))
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        log_changed(*self.log_boards(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        log_changed(*self.log_boards_of(queryset))
        super().delete_queryset(request, queryset)


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["person"]


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    extra = 0
    fields = ["created_at", "meeting", "status_before", "status_after", "note", "created_by"]
    autocomplete_fields = ["meeting"]


@admin.register(Action)
class ActionAdmin(MovesVersionOn, ChangesActionLog, SimpleHistoryAdmin):
    list_display = ["number", "short_text", "board", "issued_on", "status", "whole_board", "removed_at"]
    list_display_links = ["number", "short_text"]
    list_filter = ["board", "status", "whole_board"]
    search_fields = ["text", "status_note", "=number"]
    autocomplete_fields = ["meeting", "agenda_item", "target_meeting"]
    readonly_fields = ["number", "created_at", "updated_at", "version"]
    list_select_related = ["board"]
    date_hierarchy = "issued_on"
    inlines = [ResponsibilityInline, ActionUpdateInline]

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
class ActionUpdateAdmin(ChangesActionLog, SimpleHistoryAdmin):
    list_display = ["action", "created_at", "meeting", "status_before", "status_after", "created_by"]
    list_filter = ["status_after", "action__board"]
    search_fields = ["note", "action__text"]
    autocomplete_fields = ["action", "meeting"]
    list_select_related = ["action__board", "meeting__board", "created_by"]
    board_lookup = "action__board_id"

    def log_boards(self, obj) -> list[int]:
        return [obj.action.board_id]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # "This action log was updated on" reads the actions' times: an update counts as a change to its action.
        Action.objects.filter(pk=obj.action_id).update(updated_at=timezone.now())
