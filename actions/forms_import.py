"""Forms of the action-log import: the upload, and the confirmation that carries the parsed rows.

Between preview and confirm the parsed rows travel in the page itself, signed with
`django.core.signing` (HMAC with SECRET_KEY, salted with the board and the user, compressed, and
valid for two hours). App servers keep no state (DESIGN.md: several gunicorn instances behind a
load balancer), so a temp file on one server could be missing on the next request; the session
is saved on every request here (SESSION_SAVE_EVERY_REQUEST), so megabytes parked in it would slow
every page until it expired. A signed payload needs neither and cannot be altered or replayed on
another board; the confirm step plans the rows again against the database as it then is.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.urls import reverse

from .importing import EXTENSIONS, MAX_UPLOAD_BYTES, ImportRefused, ParsedFile, RawRow, read_file

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
    file = forms.FileField(
        label="Action log file",
        help_text="A .csv, .xlsx (Excel) or .docx (Word) file of up to 5 MB, with a header row such as "
        "No. / Action / Responsible / Date issued / Status.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, board=None, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.parsed: ParsedFile | None = None
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
            self.add_error("file", ValidationError(_too_large(), code="too_large"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise ValidationError(
                "Upload a .csv, .xlsx (Excel) or .docx (Word) file. Older .xls and .doc files: "
                "open them and save as .xlsx or .docx first.",
                code="bad_extension",
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_too_large(), code="too_large")
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            self.parsed = read_file(upload.name, data)
        except ImportRefused as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from None
        if not self.parsed.rows:
            raise ValidationError("The action log in this file has a header but no rows.", code="no_rows")
        return upload


def _too_large() -> str:
    return f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split it into smaller files."


class ImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput, max_length=PAYLOAD_MAX_CHARS)
    create_people = forms.BooleanField(
        required=False,
        label="Create people for the initials nobody on the board has",
        help_text="Rows naming unknown initials are skipped unless you tick this. You can give the new "
        "people their names later.",
    )

    def __init__(self, *args, board, user, ask_create_people: bool, unknown_initials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.board, self.user = board, user
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = reverse("actions:action-import-confirm", kwargs={"slug": board.slug})
        layout = [Field("payload")]
        if ask_create_people:
            if unknown_initials:
                self.fields["create_people"].label = "Create people for the unknown initials " + ", ".join(
                    unknown_initials
                )
            layout.append(Field("create_people"))
        else:
            del self.fields["create_people"]
        self.helper.layout = Layout(*layout)
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
