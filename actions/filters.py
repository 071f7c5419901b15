"""The action log's filters: kept in the query string, so a filtered log can be bookmarked and exported."""

import django_filters
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import format_html_join

from adoptboard.fields import IdChoiceField
from adoptboard.forms import InlineFormHelper

from .models import OPEN_STATUSES, ActionUpdate, Status
from .selectors import answered_by, people_known_to


def search_actions(queryset: QuerySet, q: str) -> QuerySet:
    """Actions whose text, status note or any update mentions every word of `q`.

    PostgreSQL gets full-text search (stemming, web-search syntax: "quoted phrases", or, -not)
    over one stored document per action: its text, status note and all its updates' notes.
    Other databases get a case-insensitive match of each word anywhere in the same fields.
    """
    q = q.strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, q)
    for word in q.split():
        in_updates = ActionUpdate.objects.filter(note__icontains=word).values("action_id")
        queryset = queryset.filter(Q(text__icontains=word) | Q(status_note__icontains=word) | Q(pk__in=in_updates))
    return queryset


def _search_postgresql(queryset: QuerySet, q: str) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery

    # The stored, GIN-indexed document (actions.models.Action.search_document, kept by triggers).
    return queryset.filter(search_document=SearchQuery(q, search_type="websearch", config="english"))


class ActionFilterForm(forms.Form):
    """The log's filters laid out three to a row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wide, narrow = "col-md-6 col-lg-4", "col-sm-6 col-lg-4"
        self.helper = InlineFormHelper()
        self.helper.layout = Layout(
            Row(
                Column("q", css_class=wide),
                Column("responsible", css_class=wide),
                Column("meeting", css_class=wide),
                Column("status", css_class=wide),
                Column("issued_from", css_class=narrow),
                Column("issued_to", css_class=narrow),
                css_class="g-3",
            )
        )


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class ActionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple, label="Status"
    )
    responsible = IdChoiceFilter(
        queryset=None,
        method="filter_responsible",
        label="Responsible",
        empty_label="Anyone",
        help_text='Named on the action, or a member when it is for "all".',
    )
    meeting = IdChoiceFilter(queryset=None, label="Raised at", empty_label="Any meeting")
    issued_from = django_filters.DateFilter(
        field_name="issued_on",
        lookup_expr="gte",
        label="Issued from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    issued_to = django_filters.DateFilter(
        field_name="issued_on",
        lookup_expr="lte",
        label="Issued until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)

    class Meta:
        form = ActionFilterForm

    def __init__(self, data=None, queryset=None, *, board, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["responsible"].queryset = people_known_to(board)
        # Only what a choice shows ("Board, 5 March 2026"): its datetimes cost a converter a row.
        self.filters["meeting"].queryset = board.meetings.only("board", "date").order_by("-date", "-start_time")

    def filter_responsible(self, queryset, name, person):
        return queryset.filter(answered_by(person))

    def filter_q(self, queryset, name, value):
        return search_actions(queryset, value)

    def widgets(self) -> dict:
        """What the log's hand-written filter form shows (templates/actions/_log_filters.html):
        each field's value, its choices with the chosen ones marked, and its errors. Drawing the
        six fields through crispy's templates cost more than the rest of the page together."""
        form = self.form
        errors = form.errors if form.is_bound else {}
        out = {}
        for name, field in form.fields.items():
            value = form[name].value()
            chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value or "")}
            choices = [(str(v), str(label), str(v) in chosen) for v, label in getattr(field, "choices", ())]
            out[name] = {
                "name": name,
                "label": field.label,
                "help": field.help_text,
                "value": "" if value is None or isinstance(value, list | tuple) else value,
                "errors": errors.get(name, []),
                "choices": choices,
                # A select's <option>s as one string: forty to seventy of them through the
                # template language were a fifth of the page.
                "options": format_html_join(
                    "", '<option value="{}"{}>{}</option>', ((v, " selected" if c else "", lb) for v, lb, c in choices)
                ),
            }
        return {
            "top": [out["q"], out["responsible"], out["meeting"]],
            "status": out["status"],
            "dates": [out["issued_from"], out["issued_to"]],
        }

    @property
    def is_bound_with_filters(self) -> bool:
        return any(self.data.get(name) for name in self.filters)


# The one-click "only the open ones": the statuses that still need doing.
ONLY_OPEN = [str(s) for s in OPEN_STATUSES]
