"""Downloads: a meeting's agenda and minutes, the action log as PDF, CSV and Excel, the calendar feed.

Everyone who can see the board may download; draft minutes stay with the editors until they are
circulated (or approved). Renderers are pure (`pdf`, `word`, `sheets`, `calendar`); these views
fetch, check, render and hand the bytes to the one download helper.
"""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.http import require_safe

from actions.filters import ActionFilter
from actions.selectors import action_log, iter_export_rows, log_updated_at
from adoptboard.downloads import document_filename, download
from meetings.models import Meeting, MinutesVersion
from meetings.permissions import board_for_user
from meetings.views_registers import decision_filter, interest_filter

from . import calendar, data, pdf, services, sheets, tasks, typeset, word
from .models import ExportStatus, LogExport, LogKind, MinutesExport, MinutesKind
from .pack import pack_file

ACTION_LOG_PDF_MAX_ROWS = 500
# An Excel file of more actions than this is written in the background (50,000 took 10 s in a request).
ACTION_LOG_XLSX_MAX_ROWS = 20_000


def _meeting(request, slug, pk) -> Meeting:
    board = board_for_user(request.user, slug)
    meeting = get_object_or_404(Meeting.objects.filter(board=board), pk=pk)
    meeting.board = board
    return meeting


@require_safe
def meeting_agenda_pdf(request, slug, pk):
    meeting = _meeting(request, slug, pk)
    content = pdf.agenda_pdf(data.meeting_pack(meeting, with_log=False))
    return download(
        content,
        content_type=pdf.PDF,
        filename=document_filename(meeting.board, "agenda", "pdf", on=meeting.date),
        inline=True,
    )


@require_safe
def meeting_pack_pdf(request, slug, pk):
    """The board pack: whoever may download the agenda may download the pack (it prints only minutes
    every member may read), so it is built once for everyone and kept until something in it changes."""
    meeting = _meeting(request, slug, pk)
    handle = pack_file(meeting, base_url=request.build_absolute_uri("/"))
    name = document_filename(meeting.board, "board-pack", "pdf", on=meeting.date)
    return download(handle, content_type=pdf.PDF, filename=name, inline=True)


def _minutes_file(content, kind: str, *, filename: str):
    """Minutes through the one download helper: the PDF shown in the browser, the Word file saved."""
    if kind == MinutesKind.PDF:
        return download(content, content_type=pdf.PDF, filename=filename, inline=True)
    return download(content, content_type=word.DOCX, filename=filename)


def _stored(version: MinutesVersion, kind: str, *, filename: str):
    """A frozen minutes file, streamed from the storage."""
    field = getattr(version, kind)
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file of these minutes is missing.") from None
    return _minutes_file(handle, kind, filename=filename)


# Draft minutes print every action raised at the meeting under its item, and in their action log
# the open ones and those raised or updated at it: on the benchmark's board of 50,000 actions the
# last meeting's are 4,440 rows, a PDF of 22 s and 494 MB. The rows are counted first (a few
# COUNT queries); past these limits the file is rendered by a background task while the member
# waits on its page. From bench/minutes_rows.py on that data set (3 runs a size): WeasyPrint laid
# out 400 rows in 2.4-2.5 s with the machine nearly idle and 3.3-3.8 s with it shared (load 4),
# 800 rows in 3.0-3.4 s and 5.6-5.9 s: 500 keeps the PDF within ~4 s even on the busy machine.
# python-docx is about eight times faster a row (3,000 rows: 1.8-2.1 s shared; the whole 4,440-row
# request 3.1-4.5 s idle, 17-24 s in the loaded scaling run), so Word stays in the request up to 3,000.
MINUTES_PDF_MAX_ROWS = 500
MINUTES_DOCX_MAX_ROWS = 3000


def _minutes_max_rows(kind: str) -> int:
    return MINUTES_PDF_MAX_ROWS if kind == MinutesKind.PDF else MINUTES_DOCX_MAX_ROWS


def _minutes(request, slug, pk, kind: str):
    """Approved minutes: the files frozen at their approval. Drafts: rendered now, with the log as it
    stands, in the request or, with too many action rows, in the background."""
    meeting = _meeting(request, slug, pk)
    if not meeting.board.access.may_see_minutes(meeting):
        # Draft minutes do not exist yet as far as a member can tell.
        raise Http404("No minutes for this meeting yet")
    name = document_filename(meeting.board, "minutes", kind, on=meeting.date)
    # Minutes approved before versions were kept have none: they are rendered as drafts are.
    if (version := data.frozen_minutes(meeting)) is not None:
        return _stored(version, kind, filename=name)
    if (rows := data.minutes_action_rows(meeting)) > _minutes_max_rows(kind):
        export = services.minutes_export_request(meeting=meeting, user=request.user, kind=kind, rows=rows)
        return redirect(export)
    content, _ = tasks.minutes_render(meeting, kind)
    return _minutes_file(content, kind, filename=name)


@require_safe
def meeting_minutes_pdf(request, slug, pk):
    return _minutes(request, slug, pk, MinutesKind.PDF)


@require_safe
def meeting_minutes_docx(request, slug, pk):
    return _minutes(request, slug, pk, MinutesKind.DOCX)


def _own_minutes_export(request, slug, pk, export_pk) -> MinutesExport:
    """Minutes prepared in the background: the requester's own, while they may still see the
    meeting's minutes (an editor no more does not keep a copy of a draft), else 404."""
    meeting = _meeting(request, slug, pk)
    if not meeting.board.access.may_see_minutes(meeting):
        raise Http404("No minutes for this meeting yet")
    export = _own(request, meeting.board, MinutesExport.objects.filter(meeting=meeting), export_pk)
    export.meeting = meeting
    return export


def _frozen_url(meeting, version: MinutesVersion, kind: str) -> str:
    name = (
        "documents:meeting-minutes-version-pdf" if kind == MinutesKind.PDF else "documents:meeting-minutes-version-docx"
    )
    return reverse(name, kwargs={"slug": meeting.board.slug, "pk": meeting.pk, "version": version.number})


@require_safe
def meeting_minutes_export_status(request, slug, pk, export_pk):
    export = _own_minutes_export(request, slug, pk, export_pk)
    meeting = export.meeting
    version = data.frozen_minutes(meeting)
    return render(
        request,
        "documents/export_status.html",
        {
            "board": meeting.board,
            "export": export,
            "heading": f"{data.minutes_title(meeting)}, {export.get_kind_display()}",
            "back_url": meeting.get_absolute_url(),
            "back_label": data.minutes_title(meeting),
            # Approved since it was asked for: the approved minutes are their frozen files, not a draft.
            "frozen_url": _frozen_url(meeting, version, export.kind) if version is not None else "",
        },
    )


@require_safe
def meeting_minutes_export_file(request, slug, pk, export_pk):
    export = _own_minutes_export(request, slug, pk, export_pk)
    if (version := data.frozen_minutes(export.meeting)) is not None:
        return redirect(_frozen_url(export.meeting, version, export.kind))
    name = document_filename(export.meeting.board, "minutes", export.kind, on=export.meeting.date)
    return _minutes_file(_export_handle(export), export.kind, filename=name)


def _minutes_version(request, slug, pk, version, kind: str):
    """One approved version of a meeting's minutes: approved minutes were read by every member,
    so each version stays downloadable to everyone who sees the board, after a reopening too."""
    meeting = _meeting(request, slug, pk)
    version = get_object_or_404(MinutesVersion.objects.filter(meeting=meeting), number=version)
    name = document_filename(meeting.board, f"minutes-v{version.number}", kind, on=meeting.date)
    return _stored(version, kind, filename=name)


@require_safe
def meeting_minutes_version_pdf(request, slug, pk, version):
    return _minutes_version(request, slug, pk, version, "pdf")


@require_safe
def meeting_minutes_version_docx(request, slug, pk, version):
    return _minutes_version(request, slug, pk, version, "docx")


# --- The board's calendar feed ---------------------------------------------------------------


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
    path = reverse("documents:board-calendar", kwargs={"slug": board.slug})
    return request.build_absolute_uri(f"{path}?{query}")


def _feed_user(request, slug):
    """The user a subscription link speaks for, or None."""
    pk, token = request.GET.get("user", ""), request.GET.get("token", "")
    if not pk.isascii() or not pk.isdigit() or len(pk) > 18 or not token:
        return None
    user = get_user_model()._default_manager.filter(pk=int(pk), is_active=True).first()
    if user is None or not constant_time_compare(token, calendar_token(user, slug)):
        return None
    return user


@login_not_required
@require_safe
def board_calendar(request, slug):
    user = request.user if request.user.is_authenticated else _feed_user(request, slug)
    if user is None:
        return redirect_to_login(request.get_full_path())
    board = board_for_user(user, slug)
    meetings = list(board.meetings.order_by("date", "start_time"))
    history = Meeting.history.filter(board_id=board.pk).values("id").annotate(at=Max("history_date")).order_by()
    content = calendar.calendar_ics(
        board=board,
        meetings=meetings,
        base_url=request.build_absolute_uri("/"),
        last_modified={row["id"]: row["at"] for row in history},
    )
    return download(content, content_type=calendar.ICS, filename=f"{board.slug}.ics", inline=True)


# --- The action log as files, honouring the log page's filters ---------------------------------


def _filtered_log(request, board) -> ActionFilter | HttpResponse:
    """The log page's own FilterSet and queryset: a file shows exactly what the page shows."""
    log = ActionFilter(request.GET, queryset=action_log(board), board=board)
    if not log.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in log.errors.items())
        return HttpResponse(
            f"These filters are not valid: {errors}", status=400, content_type="text/plain; charset=utf-8"
        )
    return log


def _log_download(request, slug, render, extension: str, content_type: str):
    board = board_for_user(request.user, slug)
    log = _filtered_log(request, board)
    if isinstance(log, HttpResponse):
        return log
    name = document_filename(board, "actions", extension, on=timezone.localdate())
    # Streamed: rows are read, written and sent a chunk at a time (memory flat in the log's size).
    return download(render(iter_export_rows(log.qs), board), content_type=content_type, filename=name)


@require_safe
def action_export_csv(request, slug):
    return _log_download(
        request, slug, lambda rows, board: sheets.action_log_csv_chunks(rows), "csv", sheets.CSV_CONTENT_TYPE
    )


@require_safe
def action_export_xlsx(request, slug):
    board = board_for_user(request.user, slug)
    log = _filtered_log(request, board)
    if isinstance(log, HttpResponse):
        return log
    # XlsxWriter writes some 50,000 cells a second (10 columns a row): past the cap, a long log's
    # workbook is written by a background task and the member waits on its status page.
    rows = log.qs.count()
    if rows > ACTION_LOG_XLSX_MAX_ROWS:
        export = services.log_export_request(
            board=board, user=request.user, query=_export_query(log), rows=rows, kind=LogKind.XLSX
        )
        return redirect(export)
    name = document_filename(board, "actions", "xlsx", on=timezone.localdate())
    workbook = sheets.action_log_xlsx_file(iter_export_rows(log.qs), title=board.short_name or board.name)
    return download(workbook, content_type=sheets.XLSX_CONTENT_TYPE, filename=name)


def _export_query(log: ActionFilter) -> str:
    """The filters in force, normalised (known filters only, sorted, no page): one request, one string."""
    pairs = sorted((k, v) for k, values in log.data.lists() if k in log.filters for v in values if v != "")
    return urlencode(pairs)


@require_safe
def action_export_pdf(request, slug):
    board = board_for_user(request.user, slug)
    log = _filtered_log(request, board)
    if isinstance(log, HttpResponse):
        return log
    # Typst sets about 1,000 rows a second (documents/typeset.py): past the cap, a long log is
    # printed by a background task and the member waits on its status page.
    rows = list(log.qs[: ACTION_LOG_PDF_MAX_ROWS + 1])
    if len(rows) > ACTION_LOG_PDF_MAX_ROWS:
        export = services.log_export_request(
            board=board, user=request.user, query=_export_query(log), rows=log.qs.count()
        )
        return redirect(export)
    updated = log_updated_at(board)
    content = typeset.action_log_pdf(
        board=board,
        actions=rows,
        updated_on=timezone.localtime(updated).date() if updated else None,
        filters=data.chosen_filters(log),
        total=len(rows),
    )
    name = document_filename(board, "action-log", "pdf", on=timezone.localdate())
    return download(content, content_type=pdf.PDF, filename=name, inline=True)


def _own(request, board, exports, export_pk):
    """A document prepared in the background: the requester's own, on a board they still sit on (else 404)."""
    export = get_object_or_404(exports, pk=export_pk)
    if not board.access.may_see_requested(export.requested_by_id):
        raise Http404("No such document")
    return export


def _export_handle(export):
    """The stored file of a finished background document (else 404), to stream."""
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404(f"This {export.noun} is not ready")
    try:
        return export.file.open("rb")
    except FileNotFoundError:
        raise Http404(f"The stored file of this {export.noun} is missing.") from None


def _own_export(request, slug, export_pk) -> LogExport:
    board = board_for_user(request.user, slug)
    export = _own(request, board, LogExport.objects.filter(board=board), export_pk)
    export.board = board
    return export


@require_safe
def action_export_status(request, slug, export_pk):
    export = _own_export(request, slug, export_pk)
    log_url = reverse("actions:action-list", kwargs={"slug": slug})
    log_url = f"{log_url}?{export.query}" if export.query else log_url
    return render(
        request,
        "documents/export_status.html",
        {
            "board": export.board,
            "export": export,
            "heading": f"The action log as {export.get_kind_display()}",
            "back_url": log_url,
            "back_label": "Action log",
            "is_log": True,
            "filtered": bool(export.query),
        },
    )


@require_safe
def action_export_file(request, slug, export_pk):
    export = _own_export(request, slug, export_pk)
    handle = _export_handle(export)
    on = timezone.localtime(export.finished_at).date()
    if export.kind == LogKind.XLSX:
        name = document_filename(export.board, "actions", "xlsx", on=on)
        return download(handle, content_type=sheets.XLSX_CONTENT_TYPE, filename=name)
    name = document_filename(export.board, "action-log", "pdf", on=on)
    return download(handle, content_type=pdf.PDF, filename=name, inline=True)


# --- The registers the minutes feed, as CSV with the register page's filters ---------------------


def _register_download(request, slug, make_filter, render, what: str):
    board = board_for_user(request.user, slug)
    register = make_filter(request, board)
    if not register.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in register.errors.items())
        return HttpResponse(
            f"These filters are not valid: {errors}", status=400, content_type="text/plain; charset=utf-8"
        )
    name = document_filename(board, what, "csv", on=timezone.localdate())
    return download(render(register.qs.iterator(chunk_size=1000)), content_type=sheets.CSV_CONTENT_TYPE, filename=name)


@require_safe
def decision_export_csv(request, slug):
    return _register_download(request, slug, decision_filter, sheets.decisions_csv, "decisions")


@require_safe
def interest_export_csv(request, slug):
    return _register_download(request, slug, interest_filter, sheets.interests_csv, "interests")
