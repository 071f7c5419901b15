"""Downloads: a meeting's agenda and minutes, the action log as PDF, the board's calendar feed.

Everyone who can see the board may download; draft minutes stay with the editors until they
are circulated (or approved). The renderers live in `exports.py`; these views only fetch,
check and wrap.
"""

import datetime
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from actions.filters import ActionFilter
from actions.selectors import action_log, log_updated_at

from . import exports
from .access import board_for_user, minutes_visible
from .models import Meeting

ACTION_LOG_PDF_MAX_ROWS = 500


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    # Confidential papers: no shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


def _meeting(request, slug, pk) -> Meeting:
    board = board_for_user(request.user, slug)
    meeting = get_object_or_404(Meeting.objects.filter(board=board), pk=pk)
    meeting.board = board
    return meeting


def _stem(meeting: Meeting, what: str) -> str:
    return f"{slugify(meeting.board.short_name or meeting.board.name)}-{what}-{meeting.date:%Y-%m-%d}"


@require_GET
def meeting_agenda_pdf(request, slug, pk):
    meeting = _meeting(request, slug, pk)
    pdf = exports.agenda_pdf(exports.meeting_pack(meeting, with_log=False))
    return _download(pdf, exports.PDF, _stem(meeting, "agenda") + ".pdf", inline=True)


def _minutes_pack(request, slug, pk) -> exports.MeetingPack:
    meeting = _meeting(request, slug, pk)
    if not minutes_visible(meeting.board, meeting):
        # Draft minutes do not exist yet as far as a member can tell.
        raise Http404("No minutes for this meeting yet")
    return exports.meeting_pack(meeting)


@require_GET
def meeting_minutes_pdf(request, slug, pk):
    pack = _minutes_pack(request, slug, pk)
    pdf = exports.minutes_pdf(pack)
    return _download(pdf, exports.PDF, _stem(pack.meeting, "minutes") + ".pdf", inline=True)


@require_GET
def meeting_minutes_docx(request, slug, pk):
    pack = _minutes_pack(request, slug, pk)
    return _download(exports.minutes_docx(pack), exports.DOCX, _stem(pack.meeting, "minutes") + ".docx")


def calendar_token(user, slug: str) -> str:
    """The secret in a user's calendar-subscription link for one board.

    Calendar apps fetch feeds without a session, so the link carries the user and an HMAC over
    their id, the board and their password hash: changing the password revokes every link, and
    leaving the board stops it working (the board check still runs for that user).
    """
    value = f"{user.pk}:{slug}:{user.password}"
    return salted_hmac("adoptboard.calendar-feed", value, algorithm="sha256").hexdigest()[:40]


def calendar_subscription_url(request, board) -> str:
    query = urlencode({"user": request.user.pk, "token": calendar_token(request.user, board.slug)})
    path = reverse("meetings:board-calendar", kwargs={"slug": board.slug})
    return request.build_absolute_uri(f"{path}?{query}")


def _feed_user(request, slug):
    """The user a subscription link speaks for, or None."""
    pk, token = request.GET.get("user", ""), request.GET.get("token", "")
    if not pk.isdigit() or not token:
        return None
    user = get_user_model()._default_manager.filter(pk=int(pk), is_active=True).first()
    if user is None or not constant_time_compare(token, calendar_token(user, slug)):
        return None
    return user


@login_not_required
@require_GET
def board_calendar(request, slug):
    user = request.user if request.user.is_authenticated else _feed_user(request, slug)
    if user is None:
        return redirect_to_login(request.get_full_path())
    board = board_for_user(user, slug)
    meetings = list(board.meetings.order_by("date", "start_time"))
    history = Meeting.history.filter(board_id=board.pk).values("id").annotate(at=Max("history_date")).order_by()
    response = HttpResponse(
        exports.calendar_ics(
            board=board,
            meetings=meetings,
            base_url=request.build_absolute_uri("/"),
            last_modified={row["id"]: row["at"] for row in history},
        ),
        content_type=exports.ICS,
    )
    response["Content-Disposition"] = f'inline; filename="{slugify(board.short_name or board.name)}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _chosen_filters(log: ActionFilter) -> list[tuple[str, str]]:
    """The filters in force, as the PDF's "Showing:" line names them."""
    chosen = []
    for name, value in log.form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = log.form.fields[name]
        if isinstance(value, list | tuple):
            labels = dict(field.choices)
            value = ", ".join(str(labels.get(v, v)) for v in value)
        elif isinstance(value, datetime.date):
            value = f"{value.day} {value:%B %Y}"
        chosen.append((str(field.label or name), str(value)))
    return chosen


@require_GET
def action_export_pdf(request, slug):
    board = board_for_user(request.user, slug)
    # The log page's own FilterSet and queryset: the PDF shows exactly what the page shows.
    log = ActionFilter(request.GET, queryset=action_log(board), board=board)
    if not log.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in log.errors.items())
        return HttpResponse(
            f"These filters are not valid: {errors}", status=400, content_type="text/plain; charset=utf-8"
        )
    updated = log_updated_at(board)
    # WeasyPrint lays out about 30-100 rows a second: a whole decade's log would time the
    # request out. The PDF says plainly when it stops short; CSV and Excel carry everything.
    rows = list(log.qs[: ACTION_LOG_PDF_MAX_ROWS + 1])
    total = log.qs.count() if len(rows) > ACTION_LOG_PDF_MAX_ROWS else len(rows)
    pdf = exports.action_log_pdf(
        board=board,
        actions=rows[:ACTION_LOG_PDF_MAX_ROWS],
        updated_on=timezone.localtime(updated).date() if updated else None,
        filters=_chosen_filters(log),
        total=total,
    )
    name = f"{slugify(board.short_name or board.name)}-action-log-{timezone.localdate():%Y-%m-%d}.pdf"
    return _download(pdf, exports.PDF, name, inline=True)
