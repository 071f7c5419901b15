"""Forms for the secretary's meeting cycle: schedule, attendance, agenda, papers, minutes, review, forward plan."""

import copy
from collections.abc import Sequence
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from adoptboard.fields import IdChoiceField, VersionField
from adoptboard.forms import InlineFormHelper

from .models import AgendaItem, Attendance, AttendanceStatus, Meeting, Person, Topic
from .services import attendance_fingerprint


def people_choices(people, blank: str | None = "—") -> list[tuple]:
    """Static choices from an already evaluated list, so rendering many forms costs no query each."""
    choices = [("", blank)] if blank is not None else []
    return choices + [(p.pk, f"{p} ({p.initials})" if p.full_name else p.initials) for p in people]


class MeetingForm(forms.ModelForm):
    # Only used when editing a meeting: the version the editor loaded (no lost updates).
    version = VersionField(required=False)

    class Meta:
        model = Meeting
        fields = ["title", "date", "start_time", "end_time", "place", "online_link"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"title": "Title (optional)", "online_link": "Online link"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.helper = InlineFormHelper()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error(
                "end_time", ValidationError("The meeting must end after it starts.", code="end_before_start")
            )
        return data


class AttendanceRow(NamedTuple):
    attendance: Attendance
    key: str  # the attendance's pk, in its fields' names
    status_options: str
    deputy_options: str
    status_errors: Sequence[str]
    deputy_errors: Sequence[str]


def _options(choices, value, cache: dict, kind: str) -> str:
    """A select's <option>s with `value` chosen, as Django's Select draws them (it compares text;
    None is ""), built once per kind and value."""
    selected = "" if value is None else str(value)
    if (kind, selected) not in cache:
        cache[kind, selected] = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) == selected else "", label) for v, label in choices),
        )
    return cache[kind, selected]


def _copy(field: forms.Field, **attrs) -> forms.Field:
    field = copy.copy(field)
    field.__dict__.update(attrs)
    return field


class AttendanceForm(forms.Form):
    """Every invitee's status and deputy in one form: fields `status-<id>` and `deputy-<id>`."""

    # What the rows looked like when the page was drawn (meetings.services.attendance_fingerprint).
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, attendances, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        self.fields["fingerprint"].initial = attendance_fingerprint(attendances)
        self.people = {p.pk: p for p in people}
        status = forms.ChoiceField(
            choices=AttendanceStatus.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
        )
        deputy = forms.TypedChoiceField(
            choices=people_choices(people, blank="—"),
            required=False,
            coerce=int,
            empty_value=None,
            widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        )
        # Every row's two fields are shallow copies of these two: they share the widget and the
        # choices, which nothing changes per row. Building 30 fields anew (each copying its widget
        # and its choices) was a twentieth of the meeting page.
        for att in attendances:
            self.fields[f"status-{att.pk}"] = _copy(status, initial=att.status, label=f"Attendance of {att.person}")
            self.fields[f"deputy-{att.pk}"] = _copy(
                deputy, initial=att.deputising_for_id, label=f"{att.person} attends for"
            )

    def rows(self) -> list[AttendanceRow]:
        """Per invitee what the table's row shows: the selects' options with the posted (or
        initial) value chosen, and the fields' errors. The page writes the selects out by hand
        (templates/jinja2/meetings/_attendance_rows.html): drawing 30 selects by the widgets was about an
        eighth of the meeting page. test_attendance_fields checks they match the widgets'."""
        errors = self.errors if self.is_bound else {}
        deputies = self.fields[f"deputy-{self.attendances[0].pk}"].choices if self.attendances else []
        cache: dict = {}
        rows = []
        for att in self.attendances:
            status, deputy = f"status-{att.pk}", f"deputy-{att.pk}"
            if self.is_bound:
                status_value, deputy_value = self.data.get(status), self.data.get(deputy)
            else:
                status_value, deputy_value = att.status, att.deputising_for_id
            rows.append(
                AttendanceRow(
                    attendance=att,
                    key=str(att.pk),
                    status_options=_options(AttendanceStatus.choices, status_value, cache, "status"),
                    deputy_options=_options(deputies, deputy_value, cache, "deputy"),
                    status_errors=errors.get(status, ()),
                    deputy_errors=errors.get(deputy, ()),
                )
            )
        return rows

    def clean(self):
        data = super().clean()
        for att in self.attendances:
            deputy = data.get(f"deputy-{att.pk}")
            if deputy == att.person_id:
                self.add_error(
                    f"deputy-{att.pk}", ValidationError("Nobody deputises for themselves.", code="own_deputy")
                )
        return data

    def service_rows(self) -> list[dict]:
        return [
            {
                "attendance": att,
                "status": self.cleaned_data[f"status-{att.pk}"],
                "deputising_for": self.people.get(self.cleaned_data.get(f"deputy-{att.pk}")),
            }
            for att in self.attendances
        ]


class GuestForm(forms.Form):
    person = IdChoiceField(queryset=Person.objects.none(), required=False, label="Someone the board knows")
    full_name = forms.CharField(max_length=200, required=False, label="Or a new guest: full name")
    initials = forms.CharField(max_length=10, required=False)
    organisation = forms.CharField(max_length=200, required=False)
    status = forms.ChoiceField(choices=AttendanceStatus.choices, initial=AttendanceStatus.PRESENT)

    def __init__(self, *args, people_qs, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_qs
        if people is not None:
            self.fields["person"].choices = people_choices(people)
        self.helper = InlineFormHelper()

    def options(self, name: str) -> str:
        """An unbound form's select `name`'s <option>s, its initial value chosen, for the fields
        written out by hand (meetings/_guest_fields.html): crispy drawing them was a tenth of the
        meeting page. test_guest_fields compares the two."""
        field = self.fields[name]
        chosen = "" if field.initial is None else str(field.initial)
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if str(value) == chosen else "", label) for value, label in field.choices),
        )

    def person_options(self) -> str:
        return self.options("person")

    def status_options(self) -> str:
        return self.options("status")

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("full_name") or "").strip():
            raise ValidationError("Choose someone the board knows, or give the new guest's name.", code="no_guest")
        return data


class AgendaItemForm(forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = AgendaItem
        fields = ["title", "purpose", "lead", "lead_text", "duration_minutes", "description"]
        field_classes = {"lead": IdChoiceField}
        labels = {
            "lead": "Lead (a person)",
            "lead_text": "Or lead as free text",
            "duration_minutes": "Time allowed (minutes)",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, people_qs, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = people_qs
        if people is not None:
            self.fields["lead"].choices = people_choices(people)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.helper = InlineFormHelper()

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not 1 <= minutes <= 24 * 60:
            raise ValidationError("Allow between 1 minute and 24 hours.", code="bad_duration")
        return minutes


class PaperForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, label="Paper title (e.g. Annex A)")
    file = forms.FileField(label="File (PDF, Word or Excel, up to 20 MB)")

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None:
            # Unique ids: one upload form per item on the agenda page.
            self.prefix = f"paper-{item.pk}"
        self.helper = InlineFormHelper()


MINUTES_FORM_ID = "minutes-form"


class MinutesForm(forms.ModelForm):
    """One item's minutes. Every item's fields belong to the page's one minutes form (the HTML
    `form` attribute), so a Save without JavaScript sends, and saves, what was typed in every item."""

    version = VersionField()
    # "Replace their text with mine" after a conflict: the version of their save, now seen.
    overwrite = VersionField(required=False)

    class Meta:
        model = AgendaItem
        fields = ["notes", "decisions"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4, "form": MINUTES_FORM_ID}),
            "decisions": forms.Textarea(attrs={"rows": 2, "form": MINUTES_FORM_ID}),
        }
        labels = {"notes": "Discussion notes", "decisions": "Decisions"}
        help_texts = {
            "notes": "Lines starting “Action:” (or “KY to …”) are offered as actions to raise.",
            "decisions": "One decision a line: each is a row of the board's decisions register.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"minutes-{self.instance.pk}"
        self.fields["version"].initial = self.instance.version
        self.helper = InlineFormHelper()

    def expected_version(self) -> int:
        return self.cleaned_data.get("overwrite") or self.cleaned_data["version"]


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "description", "proposed_by", "proposed_at"]
        field_classes = {"proposed_by": IdChoiceField, "proposed_at": IdChoiceField}
        labels = {"proposed_by": "Proposed by", "proposed_at": "Proposed at meeting"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, people_qs, meetings_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_by"].queryset = people_qs
        self.fields["proposed_at"].queryset = meetings_qs
        self.fields["proposed_at"].label_from_instance = lambda m: f"{m.date:%-d %B %Y}"
        self.helper = InlineFormHelper()


class TopicScheduleForm(forms.Form):
    meeting = IdChoiceField(queryset=Meeting.objects.none(), label="Schedule into")

    def __init__(self, *args, topic, meetings_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"topic-{topic.pk}"
        self.fields["meeting"].queryset = meetings_qs
        self.fields["meeting"].label_from_instance = lambda m: f"{m.date:%-d %B %Y}"
        # A compact form in the topic's table row: the label is spoken, not shown.
        self.fields["meeting"].widget.attrs.update(
            {"aria-label": f"Schedule “{topic.title}” into", "class": "form-select-sm"}
        )
        self.helper = InlineFormHelper()
        self.helper.form_show_labels = False


class ApproveForm(forms.Form):
    """The second step of approving minutes: the secretary has seen what approval does."""

    confirm = forms.BooleanField(
        widget=forms.HiddenInput,
        initial=True,
        error_messages={"required": "Approving locks the meeting: confirm it with the button on this page."},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=90, label="Why reopen the approved minutes?")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = InlineFormHelper()


class DeclarationForm(forms.Form):
    """An interest declared at a meeting by someone present, on one of its items or in general."""

    person = forms.TypedChoiceField(coerce=int, label="Declared by")
    item = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="On item")
    interest = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Interest declared",
        help_text='e.g. "Her daughter works for Adopt South".',
    )

    def __init__(self, *args, meeting, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.items = {i.pk: i for i in meeting.items.live().order_by("position", "pk")}
        self.fields["person"].choices = [("", "—")] + people_choices(people, blank=None)
        self.fields["item"].choices = [("", "In general (no one item)")] + [
            (i.pk, f"{i.position}. {i.title}") for i in self.items.values()
        ]
        self.helper = InlineFormHelper()

    def clean_person(self):
        person = self.people.get(self.cleaned_data["person"])
        if person is None:
            raise ValidationError("Choose someone recorded as present.", code="not_present")
        return person

    def clean_item(self):
        value = self.cleaned_data["item"]
        return None if value is None else self.items[value]
