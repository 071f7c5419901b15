"""Forms of the action-log import: the upload, and the confirmation that carries the parsed rows.

Between preview and confirm the parsed rows travel in the page itself, signed with
`django.core.signing` (HMAC with SECRET_KEY, salted with the board and the user, compressed, and
valid for two hours). App servers keep no state (DESIGN.md: several gunicorn instances behind a
load balancer), so a temp file on one server could be missing on the next request; the session
is read on every request and rewritten once a minute (adoptboard.middleware), so megabytes parked
in it would slow every page until it expired. A signed payload needs neither and cannot be altered or replayed on
another board; the confirm step plans the rows again against the database as it then is.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.urls import reverse

from .importing import (
    EXTENSIONS,
    MAX_UPLOAD_BYTES,
    ImportRefused,
    ParsedFile,
    Preview,
    RawRow,
    clean_filename,
    read_file,
    too_large,
)

PAYLOAD_MAX_AGE = 2 * 60 * 60
# The payload is posted back; DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB) bounds a request's form fields.
PAYLOAD_MAX_CHARS = 4 * 1024 * 1024


def _salt(board, user) -> str:
    return f"actions.import:{board.pk}:{user.pk}"


def sign_rows(*, board, user, filename: str, parsed: ParsedFile, fingerprint: str) -> str:
    payload = signing.dumps(
        {
            "file": filename,
            "source": parsed.source,
            "columns": parsed.columns,
            "ignored": parsed.ignored_columns,
            "rows": [row.as_list() for row in parsed.rows],
            "fingerprint": fingerprint,
        },
        salt=_salt(board, user),
        compress=True,
    )
    if len(payload) > PAYLOAD_MAX_CHARS:
        raise ImportRefused(
            "This file holds too much text to preview in one go. Split it into smaller files.", code="too_large"
        )
    return payload


class ImportUploadForm(forms.Form):
    """The upload. What makes a file acceptable is decided by `read_file` alone; this only reads it."""

    file = forms.FileField(
        label="Action log file",
        help_text="A .csv, .xlsx (Excel) or .docx (Word) file of up to 5 MB, with a header row such as "
        "No. / Action / Responsible / Date issued / Status. Excel's “Unicode text” (.txt) is read too.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, board=None, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.parsed: ParsedFile | None = None
        self.filename = ""
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"enctype": "multipart/form-data"}
        if board is not None:
            self.helper.form_action = reverse("actions:action-import", kwargs={"slug": board.slug})
        self.helper.add_input(Submit("preview", "Preview the import"))

    def full_clean(self):
        super().full_clean()
        if self.too_large and self.is_bound:
            # The upload handler stopped storing the file: say why, not "this field is required".
            self._errors = ErrorDict()
            self.add_error("file", too_large())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # One byte past the limit is enough for read_file to refuse a file too large.
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            self.parsed = read_file(upload.name, data)
        except ImportRefused as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from None
        self.filename = clean_filename(upload.name)
        return upload


class ImportConfirmForm(forms.Form):
    """Confirming a preview. Bound at confirm it has every field; drawn for a `preview`, only those
    that preview asks about (unknown initials to create, numbers far past the log)."""

    payload = forms.CharField(widget=forms.HiddenInput, max_length=PAYLOAD_MAX_CHARS)
    create_people = forms.BooleanField(
        required=False,
        label="Create people for the initials nobody on the board has",
        help_text="Rows naming unknown initials are skipped unless you tick this. You can give the new "
        "people their names later.",
    )
    confirm_numbers = forms.BooleanField(
        required=False,
        label="The numbers are right: move the board's next action number on",
        help_text="Needed when the file's numbers run far past the board's log.",
    )

    def __init__(self, *args, board, user, preview: Preview | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.board, self.user = board, user
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = reverse("actions:action-import-confirm", kwargs={"slug": board.slug})
        if preview is not None:
            if preview.unknown_initials:
                self.fields["create_people"].label = "Create people for the unknown initials " + ", ".join(
                    preview.unknown_initials
                )
            else:
                del self.fields["create_people"]
            if preview.number_jump:
                field = self.fields["confirm_numbers"]
                field.label = (
                    f"The numbers are right: make the board's next action number {preview.number_jump.next_number:,}"
                )
            else:
                del self.fields["confirm_numbers"]
        self.helper.layout = Layout(*(Field(name) for name in self.fields))
        self.helper.add_input(Submit("confirm", "Import these actions"))

    def clean_payload(self):
        try:
            data = signing.loads(
                self.cleaned_data["payload"], salt=_salt(self.board, self.user), max_age=PAYLOAD_MAX_AGE
            )
        except signing.SignatureExpired:
            raise ValidationError(
                "This preview is more than two hours old: upload the file again.", code="expired"
            ) from None
        except signing.BadSignature:
            raise ValidationError(
                "This preview could not be read back: upload the file again.", code="bad_payload"
            ) from None
        try:
            data["rows"] = [RawRow.from_list(row) for row in data["rows"]]
            data["parsed"] = ParsedFile(
                rows=data["rows"],
                columns=dict(data["columns"]),
                ignored_columns=list(data["ignored"]),
                source=data["source"],
            )
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                "This preview could not be read back: upload the file again.", code="bad_payload"
            ) from None
        return data
