"""Form fields and a URL converter that keep integers a database cannot hold away from queries.

A pasted or forged id like 99999999999999999999 would reach SQLite as an OverflowError and
PostgreSQL as a DataError: a 500. Here it is an invalid choice (a form error) or a 404.
"""

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1  # the largest BIGINT
MAX_VERSION = 2**31 - 1  # the largest (positive) INTEGER


def parse_id(value) -> int | None:
    """The value as a database id, or None if it cannot be one."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for v in value:
            if parse_id(v) is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v})
        return super()._check_values(value)


class VersionField(forms.IntegerField):
    """The hidden version an edit was based on (see meetings.concurrency)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_VERSION)
        super().__init__(**kwargs)


class IdConverter:
    """<id:pk> in URLs: like <int:pk>, but a number no row can have is a 404, not a 500."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)


def strip_control_characters_from_forms() -> None:
    """Every text a form takes (the app's forms, the admin's, ModelForms' own fields) without control
    characters (adoptboard.text): one place, so no form can forget it.

    Done on Django's CharField (EmailField, SlugField, URLField... inherit it) at start-up rather
    than by a field class of our own, because ModelForms and the admin build their CharFields from
    the models themselves. Stripped rather than refused: a stray \\x0b pasted from Word is invisible,
    and a form error about it could not say where it is.
    """
    from adoptboard.text import printable

    if getattr(forms.CharField.to_python, "strips_control_characters", False):
        return
    original = forms.CharField.to_python

    def to_python(self, value):
        value = original(self, value)
        if isinstance(value, str):
            value = printable(value)
            value = value.strip() if self.strip else value
        return value

    to_python.strips_control_characters = True
    forms.CharField.to_python = to_python
