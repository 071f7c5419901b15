"""Import an existing action log: upload → preview (nothing written) → confirm (one transaction)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from adoptboard.http import post_only
from meetings.permissions import board_for_user

from .forms_import import ImportConfirmForm, ImportUploadForm, sign_rows
from .importing import MAX_UPLOAD_BYTES, ImportRefused, ParsedFile, preview_import
from .services import actions_import


class CappedUploadHandler(FileUploadHandler):
    """Stops storing an upload once it passes the limit, instead of spooling it all to disk first."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.import_upload_too_large = True
            # Read and drop the rest of the body (no connection reset: the browser gets our page).
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


@require_http_methods(["GET", "POST"])
@csrf_exempt
def action_import(request, slug):
    # Upload handlers must be in place before anything reads request.POST — the CSRF check
    # included — hence csrf_exempt here and csrf_protect on the view proper (Django's documented way).
    request.upload_handlers.insert(0, CappedUploadHandler(request, MAX_UPLOAD_BYTES))
    return _action_import(request, slug)


@csrf_protect
def _action_import(request, slug):
    board = board_for_user(request.user, slug, edit=True)
    if request.method != "POST":
        return render(request, "actions/action_import.html", {"board": board, "form": ImportUploadForm(board=board)})
    form = ImportUploadForm(
        request.POST, request.FILES, board=board, too_large=getattr(request, "import_upload_too_large", False)
    )
    if not form.is_valid():
        return render(request, "actions/action_import.html", {"board": board, "form": form}, status=400)
    try:
        return _render_preview(request, board, form.filename, form.parsed)
    except ImportRefused as refusal:
        form.add_error("file", refusal)
        return render(request, "actions/action_import.html", {"board": board, "form": form}, status=400)


# Refusals at confirm that a box of the confirm form answers: the error is shown next to it.
CONFIRM_FIELDS = {"number_jump": "confirm_numbers"}


def _render_preview(
    request, board, filename: str, parsed: ParsedFile, *, status: int = 200, field_error: ValidationError | None = None
):
    """The preview page. With `field_error` (a refusal at confirm that a box answers), the boxes
    keep what was ticked and the error stands next to its box."""
    preview = preview_import(board=board, rows=parsed.rows)
    payload = sign_rows(
        board=board, user=request.user, filename=filename, parsed=parsed, fingerprint=preview.fingerprint()
    )
    if field_error is None:
        confirm = ImportConfirmForm(initial={"payload": payload}, board=board, user=request.user, preview=preview)
    else:
        posted = request.POST.copy()
        posted["payload"] = payload
        confirm = ImportConfirmForm(posted, board=board, user=request.user, preview=preview)
        confirm.is_valid()
        confirm.add_error(CONFIRM_FIELDS[field_error.code], field_error)
    shown, hidden = preview.shown_rows()
    context = {
        "board": board,
        "preview": preview,
        "shown_rows": shown,
        "hidden": {
            "total": sum(hidden.values()),
            "create": hidden["create"],
            "update": hidden["update"],
            "unchanged": hidden["unchanged"],
        },
        "parsed": parsed,
        "filename": filename,
        "form": confirm,
    }
    return render(request, "actions/action_import_preview.html", context, status=status)


@post_only("actions:action-import", "slug")
def action_import_confirm(request, slug):
    board = board_for_user(request.user, slug, edit=True)
    form = ImportConfirmForm(request.POST, board=board, user=request.user)
    if not form.is_valid():
        upload = ImportUploadForm(board=board)
        for error in form.errors.get("payload", []):
            messages.error(request, error)
        return render(request, "actions/action_import.html", {"board": board, "form": upload}, status=400)
    data = form.cleaned_data["payload"]
    try:
        result = actions_import(
            board=board,
            rows=data["rows"],
            create_people=form.cleaned_data["create_people"],
            allow_number_jump=form.cleaned_data["confirm_numbers"],
            by=request.user,
            expected_fingerprint=data["fingerprint"],
            source=data["file"],
        )
    except ValidationError as error:
        code = getattr(error, "code", None)
        if code in CONFIRM_FIELDS:
            return _render_preview(request, board, data["file"], data["parsed"], status=400, field_error=error)
        messages.error(request, " ".join(error.messages))
        status = 409 if code == "stale_preview" else 400
        return _render_preview(request, board, data["file"], data["parsed"], status=status)
    summary = (
        f"Imported {data['file']}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.skipped} skipped."
    )
    if result.people_created:
        summary += " New people: " + ", ".join(p.initials for p in result.people_created) + "."
    messages.success(request, summary)
    return redirect("actions:action-list", slug=board.slug)
