"""The action log's filters: kept in the query string, so a filtered log can be bookmarked and exported."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet

from meetings.fields import IdChoiceField
from meetings.selectors import board_people

from .models import OPEN_STATUSES, ActionUpdate, Responsibility, Status
from .selectors import LOG_CACHE_SECONDS, answered_by


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


def log_people(board) -> QuerySet:
    """Whom the log can be filtered by: everyone the board knows (`meetings.selectors.board_people`).

    Who is named on its actions changes only with the log, so those ids are cached under the
    log's version (reading them walks every responsibility of the board: 3 ms for 10,000
    actions); members and attendees are read each time.
    """
    named = cache.get_or_set(
        f"log-people:{board.pk}:{board.log_version}",
        lambda: list(
            Responsibility.objects.filter(action__board=board).order_by().values_list("person_id", flat=True).distinct()
        ),
        LOG_CACHE_SECONDS,
    )
    return board_people(board, named=named)


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

    def __init__(self, data=None, queryset=None, *, board, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["responsible"].queryset = log_people(board)
        self.filters["meeting"].queryset = board.meetings.order_by("-date", "-start_time")

    def filter_responsible(self, queryset, name, person):
        return queryset.filter(answered_by(person))

    def filter_q(self, queryset, name, value):
        return search_actions(queryset, value)

    @property
    def is_bound_with_filters(self) -> bool:
        return any(self.data.get(name) for name in self.filters)


# The one-click "only the open ones": the statuses that still need doing.
ONLY_OPEN = [str(s) for s in OPEN_STATUSES]
