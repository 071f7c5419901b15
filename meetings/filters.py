"""The registers' filters (decisions, interests): kept in the query string, so a view can be bookmarked
and its CSV export shows the same rows."""

import django_filters
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import Q

from adoptboard.fields import IdChoiceField
from adoptboard.forms import InlineFormHelper


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


def _date(label, lookup):
    return django_filters.DateFilter(
        field_name="meeting__date", lookup_expr=lookup, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


def _search(queryset, fields: list[str], value: str):
    """Rows mentioning every word of `value` in one of `fields` (case-insensitive)."""
    for word in value.split():
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


class RegisterFilterForm(forms.Form):
    columns: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = InlineFormHelper()
        self.helper.layout = Layout(
            Row(*(Column(name, css_class="col-sm-6 col-lg-3") for name in self.fields), css_class="g-3")
        )


class _RegisterFilter(django_filters.FilterSet):
    meeting = IdChoiceFilter(queryset=None, label="Meeting", empty_label="Any meeting")
    date_from = _date("From", "gte")
    date_to = _date("Until", "lte")
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)
    search_fields: list[str] = []

    class Meta:
        form = RegisterFilterForm

    def __init__(self, data=None, queryset=None, *, board, **kwargs):
        super().__init__(data, queryset, **kwargs)
        meetings = self.filters["meeting"]
        meetings.queryset = board.meetings.select_related("board").order_by("-date", "-start_time")
        meetings.field_class = IdChoiceField

    def filter_q(self, queryset, name, value):
        return _search(queryset, self.search_fields, value.strip())

    @property
    def is_bound_with_filters(self) -> bool:
        return any(self.data.get(name) for name in self.filters)


class DecisionFilter(_RegisterFilter):
    search_fields = ["text", "item__title"]


class InterestFilter(_RegisterFilter):
    person = IdChoiceFilter(queryset=None, label="Person", empty_label="Anyone")
    search_fields = ["interest", "item__title", "person__full_name", "person__initials"]

    def __init__(self, data=None, queryset=None, *, board, people, **kwargs):
        super().__init__(data, queryset, board=board, **kwargs)
        self.filters["person"].queryset = people
