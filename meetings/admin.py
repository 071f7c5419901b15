from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
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
from .services import MEETING_LOCKED_MESSAGE, decisions_sync, lock_meeting_for_edit


def _touched(obj) -> dict[int, Meeting]:
    """The meetings whose record `obj` is part of (its `meetings_touched()`), by id."""
    touched = getattr(obj, "meetings_touched", None)
    if touched is None:  # a row that is no part of a meeting's record (who answers for an action)
        return {}
    try:
        return {m.pk: m for m in touched() if m is not None and m.pk}
    except ObjectDoesNotExist:  # a required relation not chosen yet: the form says so itself
        return {}


class MeetingWritesChecked:
    """Admin writes follow the app's rule: nothing lands on a meeting whose minutes are approved.

    A form that would put a row on an approved meeting (an add page, or a row moved there) is
    refused with the app's message; the save takes the meeting's row lock (lock_meeting_for_edit)
    inside the admin's transaction, so a save racing an approval lands before it or is refused.
    The model says which meetings a row belongs to (`meetings_touched()`).
    """

    # True: every meeting a row touches, before and after the change, must be open (rows that are
    # part of a meeting's record). False: only the meetings it newly touches (an action raised at
    # an approved meeting stays editable, as on its page; it cannot be moved onto one).
    all_touched = True

    def meetings_to_lock(self, obj, *, original=None) -> list[Meeting]:
        after = _touched(obj)
        before = _touched(original) if original is not None else {}
        if self.all_touched:
            chosen = {**before, **after}
        else:
            chosen = {pk: m for pk, m in after.items() if pk not in before}
        return [chosen[pk] for pk in sorted(chosen)]

    def _original(self, obj):
        model = type(obj)
        return model._default_manager.filter(pk=obj.pk).first() if obj.pk else None

    def _lock(self, obj) -> None:
        for meeting in self.meetings_to_lock(obj, original=self._original(obj)):
            lock_meeting_for_edit(meeting)

    def _refusing_locked(self, form_class):
        admin_ = self

        class RefusingLocked(form_class):
            def _post_clean(self):
                super()._post_clean()  # the instance now holds the submitted values
                if self.instance.pk and not self.has_changed():
                    return  # an inline row left as it was
                original = admin_._original(self.instance)
                if any(m.is_locked for m in admin_.meetings_to_lock(self.instance, original=original)):
                    self.add_error(None, ValidationError(MEETING_LOCKED_MESSAGE, code="locked"))

        RefusingLocked.__name__ = form_class.__name__
        return RefusingLocked

    def get_form(self, request, obj=None, **kwargs):
        return self._refusing_locked(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):  # as an inline
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = self._refusing_locked(formset.form)
        return formset

    def save_model(self, request, obj, form, change):
        self._lock(obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self._lock(obj)
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.instance.pk or inline_form.has_changed():
                self._lock(inline_form.instance)
        super().save_formset(request, form, formset, change)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._lock(obj)
            super().delete_queryset(request, queryset)

    def _refused(self, request, exc: ValidationError):
        # Raised by a lock inside the admin's transaction, which has rolled back: nothing was written.
        self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as exc:
            return self._refused(request, exc)

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except ValidationError as exc:
            return self._refused(request, exc)

    def changelist_view(self, request, *args, **kwargs):
        try:
            return super().changelist_view(request, *args, **kwargs)
        except ValidationError as exc:
            return self._refused(request, exc)


class LockedWhenApproved(MeetingWritesChecked):
    """Approved minutes are immutable in the admin too, until the chair reopens them in the app:
    the rows of an approved meeting are read-only, and nothing is added to it."""

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
