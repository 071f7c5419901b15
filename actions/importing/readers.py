"""Reading an uploaded action log: bytes in, rows of cells out, or a refusal a person can act on.

`read_file(name, data)` is the one place where an upload is checked: its type (by what it is,
not by what its name says), its size, its rows and columns, and — for the Office formats, which
are zip archives — what its members would unpack to (`open_office_zip`). Every cell is cleaned
of control characters here, and every row found becomes a `RawRow`: the cells as written, mapped
to fields by the column headers (`map_headers`). Nothing here knows about boards or actions;
`actions.importing.planner` decides what the rows would change.

Each format is read as a stream, so memory stays flat whatever the file holds:

- CSV (and Excel's "Unicode text" export, UTF-16 and tab-separated): line by line; a line with
  far more separators than an action log has columns is refused before the csv module splits it.
- Excel: openpyxl in read-only mode, which reads sheets and shared strings with defusedxml's
  `iterparse`; the workbook's other (small) XML parts are parsed with defusedxml first.
- Word: `word/document.xml` read straight from the zip by lxml's pull parser, with what
  defusedxml forbids turned off, closed elements cut from the tree after each chunk
  (`_WordReader`). python-docx built the whole part as a tree: a 3.8 MB file of 43 MB XML took a
  worker from 67 MB to 611 MB, and it kept 579 MB afterwards; now 82 MB at the peak, 79 after.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import iterparse
from django.core.exceptions import ValidationError
from lxml import etree
from lxml.etree import LxmlError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Lines (blank ones included) read before giving up on a file: a sheet of a million blank rows
# must stop too.
MAX_LINES = 4 * MAX_ROWS + 100
MAX_COLUMNS = 50
# A separator count no action log reaches on one line, even with commas in quoted text: a CSV
# line with more is refused before the csv module builds a list of its cells.
MAX_SEPARATORS_PER_LINE = 1000
# What is kept of one cell: more than any field takes (an action's text is at most 5,000
# characters; longer is reported on its row), so a huge cell costs no more than this.
MAX_CELL_CHARS = 10_000
# Zip archives (.xlsx, .docx): what the members may unpack to, before any parser sees them.
MAX_ZIP_MEMBERS = 1000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_MEMBER_RATIO = 100  # uncompressed : compressed, checked for members over 1 MB
# One spreadsheet row's XML: openpyxl builds a row's every cell before we see the first fifty.
# 256 KB holds fifty cells of 5,000 characters; two million cells do not fit.
MAX_ROW_XML_BYTES = 256 * 1024
# Distinct texts in a workbook's shared strings, which openpyxl loads all at once.
MAX_SHARED_STRINGS = 200_000
EXTENSIONS = (".csv", ".txt", ".xlsx", ".docx")

FIELDS = ("number", "text", "responsible", "issued", "status", "note")


class ImportRefused(ValidationError):
    """The file cannot be imported at all (as opposed to a row with problems)."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


def too_large() -> ImportRefused:
    return ImportRefused(
        f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split it into smaller files.",
        code="too_large",
    )


def _too_many_rows() -> ImportRefused:
    return ImportRefused(
        f"This file has more than {MAX_ROWS:,} rows of actions. Split it into smaller files of up to "
        f"{MAX_ROWS:,} rows and import them one after another.",
        code="too_many_rows",
    )


def _too_many_columns() -> ImportRefused:
    return ImportRefused(
        "This file has far more columns than an action log (No., Action, Responsible, Date issued, Status): "
        "it was not read. Copy the action log into a file of its own.",
        code="too_many_columns",
    )


NO_TABLE = (
    "No action log found in this file: it needs a header row with an “Action” column and at least one of "
    "“Responsible”, “Date issued” or “Status”."
)


# --------------------------------------------------------------------------- cells and rows

# C0 control characters but tab and newline, and the two non-characters U+FFFE/U+FFFF: they have
# no place in an action's text, and in a Word or Excel file they break the document. Lone
# surrogates too: no database or document can store them (UTF-8 cannot encode them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_cell(text: str) -> str:
    """A cell's text with line ends made "\\n" and the other control characters taken out."""
    if not text:
        return ""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# Bidirectional overrides and isolates: in a name they make "log\u202excod.exe" read "log.docx".
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_filename(name: str) -> str:
    """An uploaded file's name as it may be shown and stored: no control characters or direction
    overrides, no path, one space between words. Its length is left alone (Django keeps 255)."""
    name = _BIDI.sub("", clean_cell(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join(name.split()) or "upload"


@dataclass(frozen=True)
class RawRow:
    """One row of the file, cells as written, mapped to fields. `where` says where it sits in the file.

    However a row is made (a reader, a preview's payload, a caller of the service), its cells are
    cleaned of control characters before anything plans or saves them.
    """

    where: str  # "row 5", "table 2, row 5"
    number: str = ""
    text: str = ""
    responsible: str = ""
    issued: str = ""
    status: str = ""
    note: str = ""

    def __post_init__(self):
        for name in ("where", *FIELDS):
            object.__setattr__(self, name, clean_cell(getattr(self, name)))

    def as_list(self) -> list[str]:
        return [self.where, self.number, self.text, self.responsible, self.issued, self.status, self.note]

    @classmethod
    def from_list(cls, values: Sequence) -> RawRow:
        if len(values) != len(FIELDS) + 1 or not all(isinstance(c, str) for c in values):
            raise ValueError("not a row")
        return cls(*values)


@dataclass
class ParsedFile:
    rows: list[RawRow]
    columns: dict[str, str]  # field -> the header as written
    ignored_columns: list[str] = field(default_factory=list)
    source: str = ""  # where in the file the rows came from: "table 3", "sheet “Actions”"


# --------------------------------------------------------------------------- header mapping


def _header_key(text: str) -> str:
    text = (text or "").strip().lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9#]+", " ", text)
    return " ".join(text.split())


HEADER_ALIASES: dict[str, set[str]] = {
    "number": {
        "no",
        "number",
        "num",
        "nr",
        "ref",
        "reference",
        "id",
        "#",
        "action no",
        "action number",
        "action ref",
        "action id",
        "item no",
        "ref no",
        "no #",
        "n",
    },
    "text": {
        "action",
        "actions",
        "action point",
        "action points",
        "description",
        "action description",
        "task",
        "tasks",
        "what",
        "details",
        "detail",
        "text",
        "action required",
        "agreed action",
        "action agreed",
        "actions agreed",
    },
    "responsible": {
        "responsible",
        "owner",
        "owners",
        "lead",
        "leads",
        "who",
        "by",
        "by whom",
        "responsibility",
        "responsible person",
        "person responsible",
        "assigned to",
        "action by",
        "action owner",
        "initials",
        "lead officer",
        "lead person",
        "responsible officer",
    },
    "issued": {
        "date issued",
        "issued",
        "raised",
        "date raised",
        "date",
        "meeting",
        "meeting date",
        "date of meeting",
        "when raised",
        "date added",
        "date opened",
        "month",
        "date agreed",
        "issued on",
        "raised on",
        "date set",
        "meeting raised",
    },
    "status": {
        "status",
        "progress",
        "state",
        "rag",
        "rag status",
        "current status",
        "status update",
        "progress update",
        "open closed",
    },
    "note": {"note", "notes", "comment", "comments", "status note", "update", "updates", "remarks"},
}
# Columns that carry a date but not the date the action was raised.
_OTHER_DATES = ("due", "target", "deadline", "closed", "completed", "complete by", "review")


def map_header(cell: str) -> str | None:
    """The field a column header stands for, forgivingly ("Date issued", "Owner", "Action No."), or None."""
    key = _header_key(cell)
    if not key:
        return None
    for name, aliases in HEADER_ALIASES.items():
        if key in aliases:
            return name
    words = key.split()
    if any(w in ("no", "number", "ref", "#", "id", "num") for w in words):
        return "number"
    if any(w.startswith(("responsib", "owner", "lead")) for w in words) or "by" in words or "who" in words:
        return "responsible"
    if "status" in words or "progress" in words:
        return "status"
    if any(w in key for w in _OTHER_DATES):
        return None
    if any(w in ("date", "issued", "raised", "month", "when") for w in words):
        return "issued"
    if any(w in ("note", "notes", "comment", "comments", "update", "updates") for w in words):
        return "note"
    if any(w in ("action", "actions", "description", "task") for w in words):
        return "text"
    return None


def map_headers(cells: Sequence[str]) -> dict[str, int] | None:
    """Field -> column index if this row is an action-log header (an Action column and one more)."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = map_header(cell)
        if name and name not in mapping:
            mapping[name] = index
    if "text" in mapping and len(set(mapping) & {"responsible", "issued", "status"}) >= 1:
        return mapping
    return None


# An action number as written: "75", "75.", "#75", "75.0" (Excel). Nine digits at most: longer is
# no number of any log, and reading it as one would overflow the database's integer.
NUMBER = re.compile(r"^\s*#?\s*(\d{1,9})(?:\.0*)?\s*\.?\s*$")


# --------------------------------------------------------------------------- table -> rows

_HEADER_CHARS = 60


@dataclass
class _Table:
    mapping: dict[str, int]
    header: list[str]
    body: list[tuple[str, list[str]]]


def _rows_from_table(table: Iterable[Sequence[str]], *, header_search: int, prefix: str = "") -> _Table | None:
    """Find the header among the first rows, then collect the data rows (with where each sits).

    Every reader's rows come through here: cells are cleaned, cut to `MAX_COLUMNS` and
    `MAX_CELL_CHARS`, and reading stops past `MAX_ROWS` rows of actions or `MAX_LINES` lines.
    """
    mapping = None
    header: list[str] = []
    body: list[tuple[str, list[str]]] = []
    for line, raw_cells in enumerate(table, start=1):
        if line > MAX_LINES:
            raise _too_many_rows()
        # Cut here; cleaned of control characters once mapped (only the cells that are used).
        cells = [c[:MAX_CELL_CHARS] for c in raw_cells[:MAX_COLUMNS]]
        if mapping is None:
            if line > header_search:
                return None
            header = [clean_cell(c) for c in cells]
            mapping = map_headers(header)
            continue
        if not any(c.strip() for c in cells):
            continue
        if _repeats_header(cells, mapping):  # tables broken across pages
            continue
        body.append((f"{prefix}row {line}", cells))
        if len(body) > MAX_ROWS:
            raise _too_many_rows()
    if mapping is None:
        return None
    if "number" not in mapping and (index := _unheaded_numbers(header, body, mapping)) is not None:
        mapping["number"] = index
    return _Table(mapping, header, body)


def _repeats_header(cells: list[str], mapping: dict[str, int]) -> bool:
    """Whether a row is the header again. Cell by cell, so that most rows are done with at the first."""
    for name, index in mapping.items():
        if index >= len(cells) or len(cells[index]) > _HEADER_CHARS or map_header(cells[index]) != name:
            return False
    return map_headers(cells) == mapping


def _unheaded_numbers(header: list[str], body, mapping: dict[str, int]) -> int | None:
    """No number column named? The first column with no header is one, if it holds numbers."""
    for index, cell in enumerate(header):
        if not cell.strip() and index not in mapping.values():
            values = [cells[index] for _, cells in body if index < len(cells) and cells[index].strip()]
            if values and sum(bool(NUMBER.match(v)) for v in values) >= len(values) / 2:
                return index
            return None
    return None


def _to_raw_rows(table: _Table) -> list[RawRow]:
    rows = []
    for where, cells in table.body:
        values = {
            name: (clean_cell(cells[index]).strip() if index < len(cells) else "")
            for name, index in table.mapping.items()
        }
        filled = [v for v in values.values() if v]
        # A row merged across the table ("2023 actions") is a heading, not an action.
        if len(filled) > 1 and len(set(filled)) == 1 and not NUMBER.match(filled[0]):
            continue
        rows.append(RawRow(where=where, **values))
    return rows


def _parsed(table: _Table, source: str) -> ParsedFile:
    mapping, header = table.mapping, table.header
    columns = {name: header[index].strip() or "(no heading)" for name, index in mapping.items()}
    ignored = [h.strip() for i, h in enumerate(header) if i not in mapping.values() and h.strip()]
    rows = _to_raw_rows(table)
    if not rows:
        raise ImportRefused("The action log in this file has a header but no rows.", code="no_rows")
    return ParsedFile(rows=rows, columns=columns, ignored_columns=ignored, source=source)


# --------------------------------------------------------------------------- the one door


def read_file(name: str, data: bytes) -> ParsedFile:
    """The action-log rows of an uploaded file, or ImportRefused saying why not.

    Every check of the file itself is here (the upload form and the command only call this):
    its name's extension, its size, that it is not empty, then each format's own checks.
    """
    lower = (name or "").lower()
    if not lower.endswith(EXTENSIONS):
        raise ImportRefused(
            "Upload a .csv, .xlsx (Excel) or .docx (Word) file. Older .xls and .doc files: "
            "open them and save as .xlsx or .docx first.",
            code="bad_extension",
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large()
    if not data.strip():
        raise ImportRefused("The file is empty.", code="empty")
    if lower.endswith((".csv", ".txt")):
        return read_csv(data)
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    return read_docx(data)


# --------------------------------------------------------------------------- CSV

_NOT_CSV = (
    "This file is not a CSV text file, although its name ends in .csv (it looks like a binary file, perhaps "
    "an Excel workbook or an image that was renamed)."
)
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SAMPLE = 65536


def _decode(data: bytes) -> str:
    """The file's text: UTF-16 if it starts with a byte-order mark (Excel's "Unicode text"), else
    UTF-8, else Windows' Latin-1 (cp1252, what Excel's plain "CSV" writes), else ISO Latin-1."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused(
                "This file's text could not be read: save it as “CSV UTF-8” or “Unicode text” again.", code="not_csv"
            ) from None
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:_SAMPLE]:
        raise ImportRefused(_NOT_CSV, code="not_csv")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _checked_lines(text: str, separator: str) -> Iterator[str]:
    for line in io.StringIO(text, newline=""):
        if line.count(separator) > MAX_SEPARATORS_PER_LINE:
            raise _too_many_columns()
        yield line


def read_csv(data: bytes) -> ParsedFile:
    text = _decode(data)
    sample = text[:_SAMPLE]
    # A text file may hold a stray control character (they are taken out of the cells); a binary
    # file renamed holds them everywhere.
    if "\x00" in sample or len(_BINARY.findall(sample)) > len(sample) // 10:
        raise ImportRefused(_NOT_CSV, code="not_csv")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(_checked_lines(text, dialect.delimiter), dialect)
    try:
        found = _rows_from_table(reader, header_search=20)
    except csv.Error as exc:
        raise ImportRefused(f"This CSV file could not be read ({exc}).", code="not_csv") from None
    if not found:
        raise ImportRefused(NO_TABLE, code="no_table")
    return _parsed(found, source="the CSV file")


# --------------------------------------------------------------------------- the zip guard


@dataclass(frozen=True)
class _Office:
    kind: str  # "Excel (.xlsx)"
    required: str  # the part every such file has
    row_tag: bytes  # a row's element, without its prefix: b"row", b"tr"
    max_rows: int  # row elements in any one part
    # One row element's XML, and the elements (start and end tags) in any one part; None: not checked.
    max_row_bytes: int | None
    max_tags: int | None


_XLSX = _Office("Excel (.xlsx)", "xl/workbook.xml", b"row", MAX_LINES, MAX_ROW_XML_BYTES, 2_000_000)
# Word is read element by element, dropping each (`_WordReader`): its rows' size costs nothing,
# and its rows are counted as Word writes them (the reader counts them again, whatever the prefix).
_DOCX = _Office("Word (.docx)", "word/document.xml", b"tr", MAX_ROWS + 1000, None, None)
_WORD_ROWS = (b"<w:tr>", b"<w:tr ")


def _not_it(office: _Office) -> ImportRefused:
    return ImportRefused(
        f"This file is not a real {office.kind} file, although its name says so. Open it in the program it "
        f"came from and save it as {office.kind} again.",
        code="not_what_name_says",
    )


def _bomb() -> ImportRefused:
    return ImportRefused(
        "This file unpacks to far more than an action log could hold (it may be a “zip bomb”); it was not opened.",
        code="zip_bomb",
    )


def open_office_zip(data: bytes, office: _Office) -> zipfile.ZipFile:
    """Open an Office file as a zip only after checking what its members would unpack to.

    Then every XML part is streamed through once before any parser sees it (`_scan_part`).
    """
    if not data.startswith(b"PK\x03\x04"):
        raise _not_it(office)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _not_it(office) from None
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise _bomb()
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_MEMBER_RATIO * max(m.compress_size, 1):
            raise _bomb()
    names = {m.filename for m in members}
    if office.required not in names or _CONTENT_TYPES not in names:
        raise _not_it(office)
    try:
        for m in members:
            if m.filename.endswith((".xml", ".rels")):
                _scan_part(archive, m, office)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _not_it(office) from None
    return archive


_CONTENT_TYPES = "[Content_Types].xml"  # every Office file's list of what its parts are
_OVERLAP = 1100  # longer than any tag looked for: a tag cut by a chunk's end is whole in the next window


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, office: _Office) -> None:
    """Refuse a part that declares entities (billion laughs, XXE), is not UTF-8 (a declaration in
    UTF-16 would hide from this scan), or is too big for what reads it (`_PartScan`).

    zipfile never yields more than a member's declared size (and checks its CRC), so the size
    checks of `open_office_zip` hold for what is read here and later.
    """
    scan = _PartScan(office, shared_strings=member.filename == "xl/sharedStrings.xml")
    tail = b""  # the end of the last window, whose tags are taken from the next
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(1024 * 1024)
            window = tail + chunk
            if b"\x00" in window or b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise _not_it(office)
            # Tags starting before `cut` are taken from this window, the rest from the next.
            cut = max(0, len(window) - _OVERLAP) if chunk else len(window)
            scan.feed(window, cut)
            if not chunk:
                return
            tail = window[cut:]


class _PartScan:
    """Counts in an XML part, window by window: row elements (at most `max_rows`), the bytes of
    one row (`max_row_bytes`), tags (`max_tags`) and shared strings (`MAX_SHARED_STRINGS`)."""

    def __init__(self, office: _Office, *, shared_strings: bool):
        self.office = office
        name = re.escape(office.row_tag)
        self.row_tags = re.compile(rb"<(/?)(?:[\w.-]{1,32}:)?" + name + rb"(?:\s[^<>]{0,1024})?(/?)>")
        self.strings = re.compile(rb"<(?:[\w.-]{1,32}:)?si(?=[\s/>])") if shared_strings else None
        self.rows = self.texts = self.tags = 0
        self.row_began: int | None = None  # where in the part the open row's start tag is
        self.offset = 0  # where in the part the window starts

    def feed(self, window: bytes, cut: int) -> None:
        office = self.office
        if office.max_tags is not None:
            self.tags += window.count(b"<", 0, cut)
            if self.tags > office.max_tags:
                raise _too_many_columns()
        if self.strings is not None:
            self.texts += sum(1 for m in self.strings.finditer(window) if m.start() < cut)
            if self.texts > MAX_SHARED_STRINGS:
                raise _bomb()
        if office is _DOCX:
            # Only counted: two scans in C, not a regular expression tried at every "<" (43 MB: 2.6 s).
            self.rows += sum(window.count(tag, 0, cut + len(tag) - 1) for tag in _WORD_ROWS)
            if self.rows > office.max_rows:
                raise _too_many_rows()
        else:
            for m in self.row_tags.finditer(window):
                if m.start() >= cut:
                    break
                self._row_tag(self.offset + m.start(), closing=bool(m.group(1)), empty=bool(m.group(2)))
        if self.row_began is not None:
            self._check_row(self.offset + cut)
        self.offset += cut

    def _row_tag(self, at: int, *, closing: bool, empty: bool) -> None:
        if closing:
            if self.row_began is not None:
                self._check_row(at)
            self.row_began = None
            return
        self.rows += 1
        if self.rows > self.office.max_rows:
            raise _too_many_rows()
        self.row_began = None if empty else at  # <row r="7"/> is a row already closed

    def _check_row(self, at: int) -> None:
        if self.office.max_row_bytes and at - self.row_began > self.office.max_row_bytes:
            raise _too_many_columns()


def _defused_check(archive: zipfile.ZipFile, names: Iterable[str]) -> None:
    """Parse XML parts with defusedxml (entities and DTDs forbidden) before a parser that uses lxml
    builds them whole. Raises DefusedXmlException or ParseError."""
    for name in names:
        with archive.open(name) as fh:
            for _event, element in iterparse(fh, forbid_dtd=True):
                element.clear()


# --------------------------------------------------------------------------- Excel


# Excel writes characters XML cannot hold as _xHHHH_ (ECMA-376's ST_Xstring; "_x005F_" is "_"),
# most often "_x000D_" for a carriage return; openpyxl leaves them as written.
_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _cell_str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _XSTRING.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.day == 1 and value.time() == datetime.time(0, 0):
            # Excel turns a typed "Feb 2024" into 1 Feb 2024: keep it a month.
            return value.strftime("%b %Y")
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _unreadable_workbook() -> ImportRefused:
    return ImportRefused(
        "This Excel file could not be read. Open it in Excel and save it as .xlsx again.", code="unreadable"
    )


def read_xlsx(data: bytes) -> ParsedFile:
    archive = open_office_zip(data, _XLSX)
    # openpyxl reads sheets and shared strings with defusedxml's iterparse (it uses defusedxml when
    # installed); its other parts go through lxml, so they are read with defusedxml here first.
    try:
        _defused_check(
            archive,
            [
                m.filename
                for m in archive.infolist()
                if m.filename.endswith((".xml", ".rels"))
                and not m.filename.startswith("xl/worksheets/sheet")
                and m.filename != "xl/sharedStrings.xml"
            ],
        )
    except DefusedXmlException:
        raise _not_it(_XLSX) from None
    except (ParseError, ValueError, LookupError):
        raise _unreadable_workbook() from None
    finally:
        archive.close()
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, lxml errors) on broken files
        logger.info("openpyxl could not open an uploaded workbook", exc_info=True)
        raise _unreadable_workbook() from None
    try:
        for sheet in workbook.worksheets:
            rows = ([_cell_str(v) for v in values] for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # a date cell out of range is read as "#VALUE!", and says so
                    found = _rows_from_table(rows, header_search=20)
            except ImportRefused:
                raise
            except Exception:
                logger.info("openpyxl failed reading a sheet", exc_info=True)
                raise _unreadable_workbook() from None
            if found:
                return _parsed(found, source=f"sheet “{sheet.title}”")
    finally:
        workbook.close()
    raise ImportRefused(NO_TABLE, code="no_table")


# --------------------------------------------------------------------------- Word

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TBL, _TR, _TC, _P, _T, _GRID_SPAN = (_W + tag for tag in ("tbl", "tr", "tc", "p", "t", "gridSpan"))
_R, _TAB, _BR, _CR = (_W + tag for tag in ("r", "tab", "br", "cr"))
# lxml's parser with what defusedxml would forbid turned off: no entity expansion, no DTD loaded,
# nothing fetched, no "huge tree". A document with a DTD at all is refused (`_word_tables`).
_LXML_SAFE = {"resolve_entities": False, "load_dtd": False, "no_network": True, "huge_tree": False}
_CHUNK = 64 * 1024


class _Text:
    """Text gathered up to `MAX_CELL_CHARS` (the rest of a huge cell is dropped as it is read)."""

    __slots__ = ("parts", "size")

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        if text and self.size < MAX_CELL_CHARS:
            text = text[: MAX_CELL_CHARS - self.size]
            self.parts.append(text)
            self.size += len(text)

    def value(self) -> str:
        return "".join(self.parts)


class _OpenTable:
    __slots__ = ("number", "rows", "row")

    def __init__(self, number: int):
        self.number = number
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None


class _OpenCell:
    __slots__ = ("table", "text", "span")

    def __init__(self, table: _OpenTable | None):
        self.table = table
        self.text = _Text()
        self.span = 1


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_COLUMNS)
    except ValueError:
        return 1


def _run_text(element) -> str:
    """The text of an element's runs: their text, tabs and line breaks (what Word shows)."""
    if next(element.iter(_TAB, _BR, _CR), None) is None:  # most paragraphs: text only, read in C
        return "".join(element.itertext(_T, with_tail=False))
    parts = []
    for node in element.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            parts.append(node.text or "")
        elif node.tag != _TAB:
            parts.append("\n")
        elif node.getparent().tag == _R:  # not a tab stop of the paragraph's properties
            parts.append("\t")
    return "".join(parts)


class _WordReader:
    """The tables of a Word document's main part, read as a stream.

    lxml parses the part chunk by chunk and reports only the elements that matter (tables, rows,
    cells, paragraphs, column spans); after each chunk everything already closed is cut from the
    tree (`_prune`), so memory holds the elements still open, not the document. lxml rather than
    defusedxml's iterparse, which runs expat's callbacks in Python: three times slower here.
    """

    def __init__(self):
        self.tables: list[_OpenTable] = []
        self.cells: list[_OpenCell] = []
        self.paragraphs: list[tuple[object, _Text]] = []  # open paragraphs, their text so far
        self.ended: list[_OpenTable] = []  # tables inside a table, kept until the outer one ends
        self.count = 0
        self.root = None

    def tables_of(self, source) -> Iterator[tuple[int, list[list[str]]]]:
        parser = etree.XMLPullParser(events=("start", "end"), tag=(_TBL, _TR, _TC, _P, _GRID_SPAN), **_LXML_SAFE)
        while chunk := source.read(_CHUNK):
            parser.feed(chunk)
            yield from self._handle(parser.read_events())
            self._prune()
        parser.close()
        yield from self._handle(parser.read_events())

    def _handle(self, events) -> Iterator[tuple[int, list[list[str]]]]:
        for event, element in events:
            if self.root is None:
                self._begin(element)
            if event == "start":
                self._start(element.tag, element)
            elif element.tag == _TBL and self.tables:
                self.ended.append(self.tables.pop())
                if not self.tables:
                    for table in sorted(self.ended, key=lambda t: t.number):
                        yield table.number, table.rows
                    self.ended = []
            else:
                self._end(element.tag, element)

    def _begin(self, element) -> None:
        tree = element.getroottree()
        info = tree.docinfo
        if info.doctype or info.internalDTD is not None:
            raise DTDForbidden(info.root_name, info.system_url, info.public_id)
        self.root = tree.getroot()

    def _start(self, tag: str, element) -> None:
        if tag == _TBL:
            self.count += 1
            self.tables.append(_OpenTable(self.count))
        elif tag == _TR and self.tables:
            self.tables[-1].row = []
        elif tag == _TC:
            table = self.tables[-1] if self.tables and self.tables[-1].row is not None else None
            self.cells.append(_OpenCell(table))
        elif tag == _P:
            self.paragraphs.append((element, _Text()))

    def _end(self, tag: str, element) -> None:
        if tag == _P and self.paragraphs:
            _, text = self.paragraphs.pop()
            text.add(_run_text(element))
            for cell in self.cells:
                cell.text.add(("\n" if cell.text.parts else "") + text.value())
        elif tag == _GRID_SPAN and self.cells:
            self.cells[-1].span = _span(element.get(_W + "val"))
        elif tag == _TC and self.cells:
            cell = self.cells.pop()
            row = cell.table.row if cell.table is not None else None
            if row is not None and len(row) < MAX_COLUMNS:
                row.extend([cell.text.value().strip()] * cell.span)
        elif tag == _TR and self.tables and self.tables[-1].row is not None:
            table = self.tables[-1]
            table.rows.append(table.row[:MAX_COLUMNS])
            table.row = None
            if len(table.rows) > MAX_ROWS + 100:
                raise _too_many_rows()

    def _prune(self) -> None:
        """Cut every closed element from the tree: only the last child of an element can still be
        open. The text of a paragraph's closed children is taken first."""
        open_paragraphs = {id(p): text for p, text in self.paragraphs}
        node = self.root
        while node is not None and len(node):
            if id(node) in open_paragraphs:
                for child in node[:-1]:
                    open_paragraphs[id(node)].add(_run_text(child))
            del node[:-1]
            node = node[-1]


def _unreadable_document() -> ImportRefused:
    return ImportRefused(
        "This Word file could not be read. Open it in Word and save it as .docx again.", code="unreadable"
    )


# The content types a Word document's main part may have: document, template, macro-enabled.
_WORD_MAIN = re.compile(
    r"application/vnd\.(openxmlformats-officedocument\.wordprocessingml|ms-word)\.[\w.]+\.main\+xml"
)


def _is_word_document(archive: zipfile.ZipFile) -> bool:
    """Whether the content types say the main part is a Word document's (a renamed workbook's zip
    holds a word/document.xml only if someone put one there)."""
    with archive.open(_CONTENT_TYPES) as fh:
        for _event, element in iterparse(fh, forbid_dtd=True):
            if element.tag.endswith("}Override") and element.get("PartName") == "/" + _DOCX.required:
                return bool(_WORD_MAIN.fullmatch(element.get("ContentType") or ""))
    return False


def read_docx(data: bytes) -> ParsedFile:
    archive = open_office_zip(data, _DOCX)
    found: _Table | None = None
    sources: list[int] = []
    try:
        if not _is_word_document(archive):
            raise _not_it(_DOCX)
        with archive.open(_DOCX.required) as fh:
            for number, rows in _WordReader().tables_of(fh):
                table = _rows_from_table(rows, header_search=5, prefix=f"table {number}, ")
                if table is None:
                    continue
                # Several tables with the same columns (a log broken across pages) read as one.
                if found is None:
                    found = table
                elif table.mapping == found.mapping:
                    found.body.extend(table.body)
                else:
                    continue
                sources.append(number)
                if len(found.body) > MAX_ROWS:
                    raise _too_many_rows()
    except DefusedXmlException:
        raise _not_it(_DOCX) from None
    except (ParseError, LxmlError, ValueError, LookupError, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        logger.info("an uploaded Word document could not be read", exc_info=True)
        raise _unreadable_document() from None
    finally:
        archive.close()
    if found is None:
        raise ImportRefused(NO_TABLE, code="no_table")
    return _parsed(found, source=("table " if len(sources) == 1 else "tables ") + ", ".join(map(str, sources)))
