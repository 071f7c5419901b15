"""Forms of a board's own pages: its settings (with the standing items), its people and their seats."""

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError

from adoptboard.fields import IdChoiceField, VersionField
from adoptboard.forms import InlineFormHelper

from .models import Board, Membership, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BoardSettingsForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Board
        fields = [
            "name",
            "short_name",
            "terms_of_reference",
            "default_start_time",
            "default_duration_minutes",
            "default_place",
            "default_online_link",
            "minutes_log",
            "reminder_days",
            "email_attachments",
            "email_minutes_text",
            "require_two_factor",
            "next_action_number",
        ]
        labels = {
            "short_name": "Short name (e.g. SE ALB)",
            "default_start_time": "Usual start time",
            "default_duration_minutes": "Usual length (minutes)",
            "default_place": "Usual place",
            "default_online_link": "Usual online link",
            "next_action_number": "Next action number",
        }
        help_texts = {
            "next_action_number": "The number the next action raised gets. It can only go up: never below a "
            "number already used, so a board coming from paper can carry on its own numbering.",
        }
        widgets = {
            "terms_of_reference": forms.Textarea(attrs={"rows": 4}),
            "default_start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "minutes_log": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["next_action_number"].min_value = 1
        self.fields["next_action_number"].widget.attrs["min"] = self.instance.next_action_number
        self.helper = InlineFormHelper()
        self.helper.layout = Layout(
            Fieldset("The board", "name", "short_name", "terms_of_reference"),
            Fieldset(
                "Usual meeting",
                "default_start_time",
                "default_duration_minutes",
                "default_place",
                "default_online_link",
            ),
            Fieldset(
                "Minutes, email and log-in",
                "minutes_log",
                "reminder_days",
                "email_attachments",
                "email_minutes_text",
                "require_two_factor",
            ),
            Fieldset("Action numbers", "next_action_number"),
            "version",
        )

    def clean_default_duration_minutes(self):
        minutes = self.cleaned_data["default_duration_minutes"]
        if not 1 <= minutes <= 24 * 60:
            raise ValidationError("Allow between 1 minute and 24 hours.", code="bad_duration")
        return minutes

    def clean_next_action_number(self):
        number = self.cleaned_data["next_action_number"]
        if number > 2**31 - 1:
            raise ValidationError("That number is too large.", code="too_large")
        return number


SMALL = {"class": "form-control form-control-sm"}


class StandingItemForm(forms.Form):
    title = forms.CharField(max_length=300, required=False, widget=forms.TextInput(attrs=SMALL))
    minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, required=False, widget=forms.NumberInput(attrs=SMALL | {"size": 4})
    )
    closing = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def clean(self):
        data = super().clean()
        if data.get("title", "").strip() and data.get("minutes") is None:
            self.add_error("minutes", ValidationError("Give the minutes allowed.", code="no_minutes"))
        return data


class BaseStandingItemFormSet(forms.BaseFormSet):
    def items(self) -> list[dict]:
        """The kept rows, in the order their place numbers give (rows without one last); blank rows left out."""
        return [
            {
                "title": f.cleaned_data["title"].strip(),
                "minutes": f.cleaned_data["minutes"],
                "closing": f.cleaned_data["closing"],
            }
            for f in self.ordered_forms
            if f.cleaned_data.get("title", "").strip()
        ]


StandingItemFormSet = forms.formset_factory(
    StandingItemForm,
    formset=BaseStandingItemFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


def standing_item_formset(board: Board, data=None) -> BaseStandingItemFormSet:
    formset = StandingItemFormSet(data, prefix="standing", initial=board.standing_items)
    for position, form in enumerate(formset.forms, start=1):
        form.fields["title"].label = f"Standing item {position}: title"
        form.fields["minutes"].label = f"Standing item {position}: minutes"
        form.fields["closing"].label = f"Standing item {position} is a closing item (stays last)"
        form.fields["ORDER"].label = f"Standing item {position}: place"
        form.fields["ORDER"].widget.attrs.update(SMALL | {"size": 3})
        form.fields["DELETE"].label = f"Remove standing item {position}"
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
    return formset


class BoardCreateForm(forms.ModelForm):
    class Meta:
        model = Board
        fields = ["name", "short_name", "slug", "default_start_time", "default_duration_minutes"]
        labels = {
            "slug": "Address (optional)",
            "default_start_time": "Usual start time",
            "default_duration_minutes": "Usual length (minutes)",
        }
        help_texts = {"slug": "The board's pages live at /boards/ followed by this; made from the name if left blank."}
        widgets = {"default_start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.helper = InlineFormHelper()

    def validate_unique(self):
        """The service says whether the address is free (and makes one from the name)."""


def person_choices(people) -> list[tuple]:
    return [("", "—")] + [
        (p.pk, f"{p} ({p.initials}){', ' + p.organisation if p.organisation else ''}") for p in people
    ]


class MemberAddForm(forms.Form):
    """A seat for someone the editor's boards know, or for a new person."""

    person = IdChoiceField(queryset=Person.objects.none(), required=False, label="Someone from your boards")
    full_name = forms.CharField(max_length=200, required=False, label="Or a new person: full name")
    initials = forms.CharField(
        max_length=10, required=False, help_text="As the minutes write them; made from the name if left blank."
    )
    organisation = forms.CharField(max_length=200, required=False)
    job_title = forms.CharField(max_length=200, required=False, label="Role title")
    email = forms.EmailField(required=False, help_text="Needed to invite them to log in.")
    role = forms.ChoiceField(choices=Membership._meta.get_field("role").choices, initial="member")
    role_label = forms.CharField(
        max_length=100, required=False, label="Role as the documents print it", help_text='e.g. "CHAIR Milton Keynes"'
    )
    since = forms.DateField(required=False, widget=DATE, label="Member since", help_text="Today if left blank.")
    until = forms.DateField(required=False, widget=DATE, label="Member until")

    def __init__(self, *args, pickable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = pickable
        self.helper = InlineFormHelper()

    def set_choices(self, people) -> None:
        """Static choices from an evaluated list: rendering costs no query."""
        self.fields["person"].choices = person_choices(people)

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("full_name") or "").strip():
            raise ValidationError("Choose someone from your boards, or give the new person's name.", code="no_person")
        return data


class PersonForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Person
        fields = ["full_name", "initials", "organisation", "job_title", "email"]
        labels = {"job_title": "Role title", "full_name": "Full name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["full_name"].required = True
        self.helper = InlineFormHelper()

    def validate_unique(self):
        """The service checks the email (one person per address) with a message naming the other person."""


class MembershipForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Membership
        fields = ["role", "role_label", "since", "until"]
        labels = {"since": "Member since", "until": "Member until"}
        widgets = {"since": DATE, "until": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"seat-{self.instance.pk}"
        self.fields["version"].initial = self.instance.version
        self.helper = InlineFormHelper()

    def validate_unique(self):
        """Overlapping seats are the service's to refuse, with a message saying which."""


class MembershipEndForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Last day on the board")

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"end-{membership.pk}"
        self.fields["on"].label = f"Last day of {membership.person} on the board"
        self.helper = InlineFormHelper()
