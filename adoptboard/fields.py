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
