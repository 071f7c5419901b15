"""Forms of the action log: raising an action at an item, the meeting's review, a progress update, an edit."""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from adoptboard.fields import IdChoiceField, IdMultipleChoiceField, VersionField
from adoptboard.forms import InlineFormHelper
from meetings.forms import people_choices
from meetings.models import MeetingStatus, Person

from .models import ACTION_TEXT_MAX, Action, ActionUpdate, Status
from .selectors import people_known_to


class RaiseActionForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Action",
        max_length=ACTION_TEXT_MAX,
        help_text=f"Up to {ACTION_TEXT_MAX:,} characters.",
    )
    responsible = IdMultipleChoiceField(queryset=Person.objects.none(), required=False, label="Responsible")
    whole_board = forms.BooleanField(required=False, label="The whole board (all)")
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due (optional)")

    def __init__(self, *args, item, people_qs, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"action-{item.pk}"
        self.helper = InlineFormHelper()
        self.fields["responsible"].queryset = people_qs
        if people is not None:
            self.fields["responsible"].choices = people_choices(people, blank=None)

    def clean(self):
        data = super().clean()
        if not data.get("responsible") and not data.get("whole_board"):
            raise ValidationError(
                "Say who is responsible: one or more people, or the whole board.", code="no_responsible"
            )
        return data


def responsible_options(people) -> str:
    """An unbound RaiseActionForm's responsible <option>s (its choices), for the fields written out
    by hand: the same for every item of a page, so built once."""
    return format_html_join("", '<option value="{}">{}</option>', people_choices(people, blank=None))


class ReviewRow(NamedTuple):
    action: Action
    # The action's pk (in the fields' names) and number as text: an int in a template goes
    # through localisation, 12 times a row.
    key: str
    number: str
    options: str  # the status select's <option>s, the shown value selected
    note: str | None
    version: str | None
    status_errors: Sequence[str]
    note_errors: Sequence[str]


@functools.cache
def _status_options(selected: str | None) -> str:
    # " selected" has nothing to escape; values and labels are escaped by format_html_join.
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, " selected" if v == selected else "", label) for v, label in Status.choices),
    )


# Read once: Status.values builds its list on every access, and a page asks 300 times.
_STATUS_VALUES = frozenset(Status.values)


def status_options(selected) -> str:
    """The <option>s of a status select with `selected` chosen, as Django's Select draws them."""
    value = None if selected is None else str(selected)
    # Only the statuses are cached; a posted value that is none of them selects nothing.
    return _status_options(value if value in _STATUS_VALUES else None)


class ReviewForm(forms.Form):
    """The action-log review: per action a status (`status-<pk>`), a note (`note-<pk>`) and its version."""

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = actions
        # The 900 fields are made on first use (the property below): validating a POST needs
        # them, drawing the page does not (rows() reads the actions), and making them took
        # 17 ms of the GET's 100 (CPU, SQLite, large bench data).
        del self.fields

    @functools.cached_property
    def fields(self) -> dict[str, forms.Field]:
        fields = {}
        choices = Status.choices
        for action in self.actions:
            fields[f"status-{action.pk}"] = forms.ChoiceField(
                choices=choices,
                initial=action.status,
                label=f"Status of action {action.number}",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            fields[f"note-{action.pk}"] = forms.CharField(
                max_length=300,
                required=False,
                label=f"Update on action {action.number}",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            fields[f"version-{action.pk}"] = VersionField(initial=action.version)
        return fields

    def __getitem__(self, name):
        # A Django template reads `form.non_field_errors` as form["non_field_errors"] first: a
        # name that is no field's must not make the 900 fields to find that out.
        if name.partition("-")[0] not in ("status", "note", "version"):
            raise KeyError(f"Key '{name}' not found in ReviewForm.")
        return super().__getitem__(name)

    def rows(self) -> list[ReviewRow]:
        """Per action what its row shows: the fields' values (posted, or initial) and their errors.

        The page writes the fields out by hand (templates/jinja2/actions/_review_rows.html) instead of
        drawing 900 widgets, which took most of its time (docs/PERFORMANCE.md); the values follow
        Django's widgets (`data.get`, no value attribute for ""/None), and test_review checks the
        rows match what the widgets would draw, errors included.
        """
        errors = self.errors if self.is_bound else {}
        data = self.data if self.is_bound else None
        rows = []
        for a in self.actions:
            if data is None:
                status, note, version = a.status, None, a.version
            else:
                status, note, version = (
                    data.get(f"status-{a.pk}"),
                    data.get(f"note-{a.pk}"),
                    data.get(f"version-{a.pk}"),
                )
            rows.append(
                ReviewRow(
                    action=a,
                    key=str(a.pk),
                    number=str(a.number),
                    options=status_options(status),
                    note=None if note in ("", None) else str(note),
                    version=None if version in ("", None) else str(version),
                    status_errors=errors.get(f"status-{a.pk}", ()),
                    note_errors=errors.get(f"note-{a.pk}", ()),
                )
            )
        return rows

    def entries(self) -> list[dict]:
        return [
            {
                "action": a,
                "status": self.cleaned_data[f"status-{a.pk}"],
                "note": self.cleaned_data[f"note-{a.pk}"],
                "version": self.cleaned_data[f"version-{a.pk}"],
            }
            for a in self.actions
        ]


class ActionUpdateForm(forms.ModelForm):
    """A progress note and the status it leaves the action in."""

    status_note = forms.CharField(
        label="Status note",
        max_length=300,
        required=False,
        help_text='Shown beside the status in the log, e.g. "moved to kinship care group".',
    )
    version = VersionField(min_value=1)

    class Meta:
        model = ActionUpdate
        fields = ["status_after", "note", "meeting"]
        field_classes = {"meeting": IdChoiceField}
        labels = {"status_after": "Status", "note": "Progress note", "meeting": "At meeting (optional)"}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, action: Action, **kwargs):
        kwargs.setdefault(
            "initial",
            {"status_after": action.status, "status_note": action.status_note, "version": action.version},
        )
        super().__init__(*args, **kwargs)
        self.fields["status_after"].choices = Status.choices
        # Approved minutes are locked: an update cannot be recorded "at" their meeting.
        self.fields["meeting"].queryset = action.board.meetings.exclude(status=MeetingStatus.APPROVED).order_by(
            "-date", "-start_time"
        )
        self.fields["meeting"].required = False
        self.fields["meeting"].empty_label = "Between meetings"
        self.fields["meeting"].label_from_instance = lambda m: f"{m.date:%-d %B %Y}"
        self.helper = FormHelper()
        self.helper.form_action = action.get_absolute_url() + "updates/"
        self.helper.add_input(Submit("submit", "Add update"))

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if len(note) > 5000:
            raise ValidationError("Keep the note under 5,000 characters.", code="too_long")
        return note


class ActionEditForm(forms.ModelForm):
    """What an editor may change about an action; its number, origin and status history stay."""

    responsible = IdMultipleChoiceField(queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    version = VersionField(min_value=1)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=ACTION_TEXT_MAX,
        help_text=f"Up to {ACTION_TEXT_MAX:,} characters.",
    )

    class Meta:
        model = Action
        fields = ["text", "whole_board", "due_date", "status_note"]
        labels = {"whole_board": 'The whole board ("all")'}
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, instance: Action, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("responsible", [p.pk for p in instance.people])
        initial.setdefault("version", instance.version)
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["responsible"].queryset = people_known_to(instance.board)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save action"))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("The action needs some text.", code="no_text")
        if len(text) > ACTION_TEXT_MAX:
            raise ValidationError(f"Keep the action to {ACTION_TEXT_MAX:,} characters.", code="too_long")
        return text

    def clean_responsible(self):
        # Keep the order the minutes wrote ("RE/MH"); people added now follow, by name.
        before = {p.pk: i for i, p in enumerate(self.instance.people)}
        people = list(self.cleaned_data["responsible"])
        return sorted(people, key=lambda p: (before.get(p.pk, len(before)), p.full_name, p.initials))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("responsible") and not cleaned.get("whole_board") and "responsible" not in self.errors:
            raise ValidationError(
                "Say who is responsible: one or more people, or the whole board.", code="no_responsible"
            )
        return cleaned


class ActionLineForm(forms.Form):
    """One "Action:" line of the minutes as the secretary confirms it: its text and people, editable."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Action",
        max_length=5000,
        error_messages={"required": "The action needs some text."},
    )
    responsible = IdMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Responsible",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    whole_board = forms.BooleanField(required=False, label="The whole board (all)")

    def __init__(self, *args, offer, people_qs, people=None, **kwargs):
        kwargs.setdefault(
            "initial",
            {"text": offer.text, "responsible": [p.pk for p in offer.people], "whole_board": offer.whole_board},
        )
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.prefix = f"line-{offer.item.pk}-{offer.fingerprint[:12]}"
        self.helper = InlineFormHelper()
        self.fields["responsible"].queryset = people_qs
        if people is not None:
            self.fields["responsible"].choices = people_choices(people, blank=None)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("The action needs some text.", code="no_text")
        return text

    def clean(self):
        data = super().clean()
        if not data.get("responsible") and not data.get("whole_board") and "responsible" not in self.errors:
            raise ValidationError(
                "Say who is responsible: one or more people, or the whole board.", code="no_responsible"
            )
        return data
