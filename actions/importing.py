"""Reading an existing action log (.csv, .xlsx, .docx) and planning its import.

Two stages, both free of writes:

1. `read_file(name, data)` turns the uploaded bytes into `RawRow`s (the cells as written, mapped to
   fields by their column headers), or raises `ImportRefused` with a sentence a person can act on.
   Files are checked for what they are (not for what their name says), zip archives for bombs,
   and reading stops at `MAX_ROWS`.
2. `plan_rows(rows, people=..., actions=...)` reads each row as people write them ("Closed (move to
   kinship care group)", "Feb 2024", "RE/MH", "MH and all") and decides per row: create, update,
   unchanged or skip, with every problem on its row. `preview_import(board=..., rows=...)` is the
   same with the board's people and actions fetched.

Writing is `actions.services.actions_import`.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import difflib
import hashlib
import io
import json
import logging
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .models import Status, responsible_label

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Zip archives (.xlsx, .docx): what the members may unpack to, before any parser sees them.
MAX_ZIP_MEMBERS = 1000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_MEMBER_RATIO = 100  # uncompressed : compressed, checked for members over 1 MB
MAX_COLUMNS = 50
MAX_TEXT_CHARS = 5000
PREVIEW_ROWS_SHOWN = 200
EXTENSIONS = (".csv", ".xlsx", ".docx")

FIELDS = ("number", "text", "responsible", "issued", "status", "note")


class ImportRefused(ValidationError):
    """The file cannot be imported at all (as opposed to a row with problems)."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


# --------------------------------------------------------------------------- rows as written


@dataclass(frozen=True)
class RawRow:
    """One row of the file, cells as written, mapped to fields. `where` says where it sits in the file."""

    where: str  # "row 5", "table 2, row 5"
    number: str = ""
    text: str = ""
    responsible: str = ""
    issued: str = ""
    status: str = ""
    note: str = ""

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
    ignored_columns: list[str]
    source: str  # where in the file the rows came from: "table 3", "sheet “Actions”"


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


_INT = re.compile(r"^\s*#?\s*(\d{1,9})(?:\.0*)?\s*\.?\s*$")


def _rows_from_table(
    table: Iterable[Sequence[str]], *, header_search: int, prefix: str = ""
) -> tuple[dict[str, int], list[str], list[tuple[str, list[str]]]] | None:
    """Find the header among the first rows, then collect the data rows (with where each sits)."""
    mapping = None
    header: list[str] = []
    body: list[tuple[str, list[str]]] = []
    for line, cells in enumerate(table, start=1):
        if mapping is None:
            if line > header_search:
                return None
            mapping = map_headers(cells)
            header = list(cells)
            continue
        if not any(c.strip() for c in cells):
            continue
        if map_headers(cells) == mapping:  # a header repeated (tables broken across pages)
            continue
        body.append((f"{prefix}row {line}", list(cells)))
        if len(body) > MAX_ROWS:
            raise ImportRefused(
                f"This file has more than {MAX_ROWS:,} rows of actions. Split it into smaller files "
                f"of up to {MAX_ROWS:,} rows and import them one after another.",
                code="too_many_rows",
            )
    if mapping is None:
        return None
    # No number column named? A first column with no header that holds numbers is one.
    if "number" not in mapping:
        for index, cell in enumerate(header):
            if not cell.strip() and index not in mapping.values():
                values = [cells[index] for _, cells in body if index < len(cells) and cells[index].strip()]
                if values and sum(bool(_INT.match(v)) for v in values) >= len(values) / 2:
                    mapping["number"] = index
                break
    return mapping, header, body


def _to_raw_rows(mapping: dict[str, int], body: list[tuple[str, list[str]]]) -> list[RawRow]:
    rows = []
    for where, cells in body:
        values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in mapping.items()}
        filled = [v for v in values.values() if v]
        # A row merged across the table ("2023 actions") is a heading, not an action.
        if len(filled) > 1 and len(set(filled)) == 1 and not _INT.match(filled[0]):
            continue
        rows.append(RawRow(where=where, **values))
    return rows


def _parsed(mapping, header, body, source) -> ParsedFile:
    columns = {name: header[index].strip() or "(no heading)" for name, index in mapping.items()}
    ignored = [h.strip() for i, h in enumerate(header) if i not in mapping.values() and h.strip()]
    return ParsedFile(rows=_to_raw_rows(mapping, body), columns=columns, ignored_columns=ignored, source=source)


NO_TABLE = (
    "No action log found in this file: it needs a header row with an “Action” column and at least one of "
    "“Responsible”, “Date issued” or “Status”."
)


# --------------------------------------------------------------------------- file readers


def read_file(name: str, data: bytes) -> ParsedFile:
    """The action-log rows of an uploaded file, or ImportRefused saying why not."""
    lower = (name or "").lower()
    if not lower.endswith(EXTENSIONS):
        raise ImportRefused(
            "Upload a .csv, .xlsx (Excel) or .docx (Word) file. Older .xls and .doc files: "
            "open them and save as .xlsx or .docx first.",
            code="bad_extension",
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", code="too_large")
    if not data.strip():
        raise ImportRefused("The file is empty.", code="empty")
    if lower.endswith(".csv"):
        return read_csv(data)
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    return read_docx(data)


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def read_csv(data: bytes) -> ParsedFile:
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:65536]:
        raise ImportRefused(
            "This file is not a CSV text file, although its name ends in .csv (it looks like a "
            "binary file, perhaps an Excel workbook or an image that was renamed).",
            code="not_csv",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused("This CSV file's text could not be read: save it as “CSV UTF-8”.", code="not_csv")
    if _BINARY.search(text[:65536]):
        raise ImportRefused("This file is not a CSV text file, although its name ends in .csv.", code="not_csv")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        found = _rows_from_table(reader, header_search=20)
    except csv.Error as exc:
        raise ImportRefused(f"This CSV file could not be read ({exc}).", code="not_csv") from None
    if not found:
        raise ImportRefused(NO_TABLE, code="no_table")
    return _parsed(*found, source="the CSV file")


def _open_zip(data: bytes, *, kind: str, required: str, row_tags: tuple[bytes, ...], max_rows: int) -> zipfile.ZipFile:
    """Open an Office file as a zip only after checking what its members would unpack to.

    The XML parts are also streamed through once before any parser sees them: documents declaring
    entities are refused (billion laughs, XXE), and so are parts with more than `max_rows` table rows
    (`row_tags`), which would otherwise be parsed whole to find out.
    """
    not_it = ImportRefused(
        f"This file is not a real {kind} file, although its name says so. Open it in the program it "
        f"came from and save it as {kind} again.",
        code="not_what_name_says",
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_it
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise not_it from None
    bomb = ImportRefused(
        "This file unpacks to far more than an action log could hold (it may be a “zip bomb”); it was not opened.",
        code="zip_bomb",
    )
    if len(members) > MAX_ZIP_MEMBERS:
        raise bomb
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise bomb
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_MEMBER_RATIO * max(m.compress_size, 1):
            raise bomb
    if required not in {m.filename for m in members}:
        raise not_it
    # zipfile never yields more than a member's declared size (and checks its CRC), so the
    # size checks above hold for what is read here and later.
    overlap = max(len(t) for t in (*row_tags, b"<!DOCTYPE", b"<!ENTITY")) - 1
    try:
        for m in members:
            if not m.filename.endswith((".xml", ".rels")):
                continue
            rows, tail = 0, b""
            with archive.open(m) as fh:
                while chunk := fh.read(1024 * 1024):
                    window = tail + chunk
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        raise not_it
                    # The tail is shorter than any tag, so no tag is counted twice.
                    rows += sum(window.count(tag) for tag in row_tags)
                    if rows > max_rows:
                        raise ImportRefused(
                            f"This file has more than {MAX_ROWS:,} rows of actions. Split it into smaller "
                            f"files of up to {MAX_ROWS:,} rows and import them one after another.",
                            code="too_many_rows",
                        )
                    tail = window[-overlap:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise not_it from None
    return archive


def _cell_str(value) -> str:
    if value is None:
        return ""
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


def read_xlsx(data: bytes) -> ParsedFile:
    archive = _open_zip(
        data,
        kind="Excel (.xlsx)",
        required="xl/workbook.xml",
        row_tags=(b"<row ", b"<row>"),
        max_rows=4 * MAX_ROWS + 100,
    )
    archive.close()
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, lxml errors) on broken files
        logger.info("openpyxl could not open an uploaded workbook", exc_info=True)
        raise ImportRefused(
            "This Excel file could not be read. Open it in Excel and save it as .xlsx again.", code="unreadable"
        ) from None
    try:
        for sheet in workbook.worksheets:
            rows_seen = 0

            def cells(sheet=sheet) -> Iterator[list[str]]:
                nonlocal rows_seen
                for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    rows_seen += 1
                    # Blank rows do not count as actions, but a sheet of a million of them must stop too.
                    if rows_seen > 4 * MAX_ROWS + 100:
                        raise ImportRefused(
                            f"This sheet has more than {MAX_ROWS:,} rows. Split it into smaller files.",
                            code="too_many_rows",
                        )
                    yield [_cell_str(v) for v in values]

            try:
                found = _rows_from_table(cells(), header_search=20)
            except ImportRefused:
                raise
            except Exception:
                logger.info("openpyxl failed reading a sheet", exc_info=True)
                raise ImportRefused(
                    "This Excel file could not be read. Open it in Excel and save it as .xlsx again.",
                    code="unreadable",
                ) from None
            if found:
                return _parsed(*found, source=f"sheet “{sheet.title}”")
    finally:
        workbook.close()
    raise ImportRefused(NO_TABLE, code="no_table")


def _docx_table_cells(tbl) -> Iterator[list[str]]:
    """Rows of a Word table as text; a cell spanning columns repeats its text in each."""
    from docx.oxml.ns import qn

    for tr in tbl.tr_lst:
        cells: list[str] = []
        for tc in tr.tc_lst:
            text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))).strip()
            cells.extend([text] * max(tc.grid_span, 1))
            if len(cells) >= MAX_COLUMNS:
                break
        yield cells[:MAX_COLUMNS]


def read_docx(data: bytes) -> ParsedFile:
    archive = _open_zip(
        data,
        kind="Word (.docx)",
        required="word/document.xml",
        row_tags=(b"<w:tr>", b"<w:tr "),
        max_rows=MAX_ROWS + 1000,
    )
    archive.close()
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        tables = list(document.element.body.iter(docx.oxml.ns.qn("w:tbl")))
    except Exception:  # python-docx and lxml raise many kinds on broken files
        logger.info("python-docx could not open an uploaded document", exc_info=True)
        raise ImportRefused(
            "This Word file could not be read. Open it in Word and save it as .docx again.", code="unreadable"
        ) from None
    mapping = header = None
    body: list[tuple[str, list[str]]] = []
    sources = []
    for number, tbl in enumerate(tables, start=1):
        if len(tbl.tr_lst) > MAX_ROWS + 100:
            raise ImportRefused(
                f"A table in this document has more than {MAX_ROWS:,} rows. Split it into smaller files.",
                code="too_many_rows",
            )
        found = _rows_from_table(_docx_table_cells(tbl), header_search=5, prefix=f"table {number}, ")
        if not found:
            continue
        # Several tables with the same columns (a log broken across pages) read as one.
        if mapping is None or (found[0] == mapping):
            mapping, header = found[0], found[1]
            body.extend(found[2])
            sources.append(number)
            if len(body) > MAX_ROWS:
                raise ImportRefused(
                    f"This document has more than {MAX_ROWS:,} rows of actions. Split it into smaller files.",
                    code="too_many_rows",
                )
    if mapping is None:
        raise ImportRefused(NO_TABLE, code="no_table")
    return _parsed(
        mapping, header, body, source=("table " if len(sources) == 1 else "tables ") + ", ".join(map(str, sources))
    )


# --------------------------------------------------------------------------- reading cells as people write them

_STATUS_WORDS: list[tuple[str, str]] = [
    # longest first, so "in progress" wins over "in"
    ("not started", Status.OPEN),
    ("in progress", Status.IN_PROGRESS),
    ("in-progress", Status.IN_PROGRESS),
    ("in hand", Status.IN_PROGRESS),
    ("on going", Status.IN_PROGRESS),
    ("on-going", Status.IN_PROGRESS),
    ("ongoing", Status.IN_PROGRESS),
    ("underway", Status.IN_PROGRESS),
    ("progressing", Status.IN_PROGRESS),
    ("started", Status.IN_PROGRESS),
    ("completed", Status.COMPLETE),
    ("complete", Status.COMPLETE),
    ("done", Status.COMPLETE),
    ("finished", Status.COMPLETE),
    ("achieved", Status.COMPLETE),
    ("closed", Status.CLOSED),
    ("close", Status.CLOSED),
    ("cancelled", Status.CLOSED),
    ("canceled", Status.CLOSED),
    ("withdrawn", Status.CLOSED),
    ("superseded", Status.CLOSED),
    ("outstanding", Status.OPEN),
    ("pending", Status.OPEN),
    ("opened", Status.OPEN),
    ("open", Status.OPEN),
    ("to do", Status.OPEN),
    ("new", Status.OPEN),
]
_STATUS_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(w) for w, _ in _STATUS_WORDS) + r")(?![a-z])[\s:;,.\-–—]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_STATUS_MAP = dict(_STATUS_WORDS)
MAX_NOTE_CHARS = 300


def parse_status(text: str) -> tuple[str, str] | None:
    """("closed", "move to kinship care group") from "Closed (move to kinship care group)"; None if unknown.

    A blank status is open. Brackets round the note are dropped, even when one is missing, as in
    the seed's "Closed move to kinship care group)".
    """
    text = " ".join((text or "").split())
    if not text:
        return Status.OPEN, ""
    match = _STATUS_RE.match(text)
    if not match:
        return None
    note = match.group(2).strip()
    if note.startswith("(") or note.endswith(")"):
        note = note.removeprefix("(").removesuffix(")").strip()
    note = note.strip(" -–—:;,.")
    return _STATUS_MAP[match.group(1).lower()], note[:MAX_NOTE_CHARS]


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?[\s\-/,']*(\d{2}|\d{4})$", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([a-z]+)\.?[\s\-/.,]+(\d{2}|\d{4})$", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")
_MONTH_NUMBER_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_issued(text: str) -> tuple[datetime.date, bool] | None:
    """The date an action was issued and whether only its month is known; None if unreadable.

    "Feb 2024", "April 2023", "Sept 23", "Jan2025" -> (first of the month, True);
    "17/04/2024" (day first, as in the UK), "2024-04-17", "17 April 2024" -> (that day, False).
    """
    text = " ".join((text or "").split()).strip(" .,")
    if not text:
        return None
    try:
        if m := _MONTH_YEAR.match(text):
            month = _MONTHS.get(m.group(1).lower())
            if month:
                return datetime.date(_year(m.group(2)), month, 1), True
            return None
        if m := _DAY_MONTH_YEAR.match(text):
            month = _MONTHS.get(m.group(2).lower())
            if month:
                return datetime.date(_year(m.group(3)), month, int(m.group(1))), False
            return None
        if m := _NUMERIC.match(text):
            a, b, c = m.groups()
            if c is None:
                # "2024-04" is a month; "04/24" is too ambiguous to guess.
                return (datetime.date(int(a), int(b), 1), True) if len(a) == 4 else None
            if len(a) == 4:  # ISO: 2024-04-17
                return datetime.date(int(a), int(b), int(c)), False
            return datetime.date(_year(c), int(b), int(a)), False  # day first, as in the UK
        if m := _MONTH_NUMBER_YEAR.match(text):  # "04/2024"
            return datetime.date(int(m.group(2)), int(m.group(1)), 1), True
    except ValueError:  # 31/02/2024, month 13
        return None
    return None


def parse_number(text: str) -> int | None:
    m = _INT.match(text or "")
    return int(m.group(1)) if m and int(m.group(1)) >= 1 else None


_WHOLE_BOARD = {"all", "everyone", "everybody", "board", "all members"}
_FILLER = {"and", "the", "whole", "members", "of", "group", "team", "with", "to"}
_SPLIT = re.compile(r"[/,;&+\n\\|]+|\s+")


def split_responsible(text: str) -> tuple[list[str], bool]:
    """The names/initials written ("RE/MH", "RE MH LH", "RE and LP") and whether "all" is among them."""
    tokens, whole = [], False
    for token in _SPLIT.split(text or ""):
        token = token.strip(" .()[]:-")
        key = token.lower()
        if not token:
            continue
        if key in _WHOLE_BOARD:
            whole = True
        elif key not in _FILLER:
            tokens.append(token)
    return tokens, whole


def creatable_initials(token: str) -> str | None:
    """Initials a new person could be created with: written in capitals, up to five letters ("LP")."""
    letters = token.replace(".", "")
    return letters if re.fullmatch(r"[A-Z][A-Z'\-]{0,4}", letters) else None


# --------------------------------------------------------------------------- the plan


CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class RowPlan:
    raw: RawRow
    number: int | None = None
    text: str = ""
    people: list = field(default_factory=list)  # Person objects, in the order written
    whole_board: bool = False
    unknown_initials: list[str] = field(default_factory=list)
    issued_on: datetime.date | None = None
    issued_month_only: bool = False
    status: str | None = None
    status_note: str = ""
    action: object | None = None  # the existing Action this row matches
    kind: str = CREATE
    changes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else ""

    @property
    def responsible_label(self) -> str:
        return responsible_label(
            [p.initials for p in self.people] + self.unknown_initials, whole_board=self.whole_board
        )

    @property
    def blocking_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.code != "unknown_initials"]

    @property
    def only_unknown_initials(self) -> bool:
        return bool(self.problems) and not self.blocking_problems


@dataclass
class Preview:
    rows: list[RowPlan]
    unknown_initials: list[str]  # initials that could be created as people, first seen first

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def bad_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.problems]

    def shown_rows(self, limit: int = PREVIEW_ROWS_SHOWN) -> tuple[list[RowPlan], Counter]:
        """Every row with a problem, and the first `limit` others; the rest only counted by kind.

        A page of 5,000 table rows takes seconds to render and nobody reads it; the problems are
        what needs reading, and each of those is shown.
        """
        shown, hidden = [], Counter()
        for row in self.rows:
            if row.problems or len(shown) < limit:
                shown.append(row)
            else:
                hidden[row.kind] += 1
        return shown, hidden

    def fingerprint(self) -> str:
        """What the preview promised: confirm refuses if the board changed under it since."""
        state = [
            (
                r.raw.where,
                r.kind,
                getattr(r.action, "pk", None),
                getattr(r.action, "version", None),
                [p.code for p in r.problems],
                [p.pk for p in r.people],
            )
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _similar_text(a: str, b: str) -> bool:
    """The same action with its wording touched up, rather than a different action under that number."""
    a, b = " ".join(a.split()).casefold(), " ".join(b.split()).casefold()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and matcher.ratio() >= 0.75


def _people_index(people: Iterable) -> tuple[dict[str, list], dict[str, list]]:
    by_initials: dict[str, list] = {}
    by_name: dict[str, list] = {}
    for person in people:
        by_initials.setdefault(person.initials.upper().replace(".", ""), []).append(person)
        if person.full_name:
            by_name.setdefault(person.full_name.casefold(), []).append(person)
            first = person.full_name.split()[0].casefold()
            if first not in ("dr", "mr", "mrs", "ms", "miss", "prof", "cllr"):
                by_name.setdefault(first, []).append(person)
    return by_initials, by_name


def _resolve_people(plan: RowPlan, by_initials, by_name, current_ids: set[int]) -> None:
    written = plan.raw.responsible
    whole_name = by_name.get(" ".join(written.split()).casefold())
    if whole_name and len(whole_name) == 1:
        plan.people = whole_name
        return
    tokens, plan.whole_board = split_responsible(written)
    for token in tokens:
        key = token.upper().replace(".", "")
        matches = by_initials.get(key) or by_name.get(token.casefold()) or []
        if len(matches) > 1:
            # Past members keep their initials; the current member is the one meant.
            current = [p for p in matches if p.pk in current_ids]
            matches = current if len(current) == 1 else matches
        if len(matches) == 1:
            if matches[0] not in plan.people:
                plan.people.append(matches[0])
        elif matches:
            plan.problems.append(Problem("ambiguous_initials", f"“{token}” could be {len(matches)} different people."))
        elif (initials := creatable_initials(token)) is not None:
            if initials not in plan.unknown_initials:
                plan.unknown_initials.append(initials)
        else:
            plan.problems.append(Problem("unclear_responsible", f"Nobody on the board is called “{token}”."))
    if plan.unknown_initials:
        plan.problems.insert(
            0,
            Problem(
                "unknown_initials",
                "Unknown initials: " + ", ".join(plan.unknown_initials) + " (tick “create people” to add them).",
            ),
        )
    if not tokens and not plan.whole_board:
        plan.problems.append(Problem("no_responsible", "Nobody is named as responsible."))


def plan_rows(
    rows: Sequence[RawRow],
    *,
    people: Iterable,
    actions: Iterable,
    current_person_ids: Iterable[int] = (),
) -> Preview:
    """Decide, row by row, what importing `rows` into a board would do. Reads nothing itself.

    `people` are the board's people (`actions.selectors.people_known_to`), `actions` all of its
    actions, removed ones included, each with `people` available (`with_people()`).
    """
    by_initials, by_name = _people_index(people)
    current_ids = set(current_person_ids)
    by_number = {a.number: a for a in actions}
    by_text: dict[str, list] = {}
    for a in by_number.values():
        by_text.setdefault(" ".join(a.text.split()).casefold(), []).append(a)
    numbers = Counter(n for n in (parse_number(r.number) for r in rows) if n is not None)

    plans: list[RowPlan] = []
    unknown: dict[str, None] = {}
    for raw in rows:
        plan = RowPlan(raw=raw, text=raw.text.replace("\r\n", "\n").strip())
        problems = plan.problems
        if raw.number:
            plan.number = parse_number(raw.number)
            if plan.number is None:
                problems.append(Problem("bad_number", f"“{raw.number}” is not an action number."))
            elif numbers[plan.number] > 1:
                problems.append(
                    Problem("duplicate_number", f"Number {plan.number} appears more than once in the file.")
                )
        if not plan.text:
            problems.append(Problem("no_text", "The action has no text."))
        elif len(plan.text) > MAX_TEXT_CHARS:
            problems.append(
                Problem("text_too_long", f"The action's text is longer than {MAX_TEXT_CHARS:,} characters.")
            )

        _resolve_people(plan, by_initials, by_name, current_ids)

        issued = parse_issued(raw.issued)
        if issued is None:
            if raw.issued.strip():
                problems.append(
                    Problem(
                        "bad_date", f"Cannot read the date “{raw.issued}” (write it like “Feb 2024” or “17/04/2024”)."
                    )
                )
            else:
                problems.append(Problem("no_date", "No date issued."))
        else:
            plan.issued_on, plan.issued_month_only = issued

        status = parse_status(raw.status)
        if status is None:
            problems.append(
                Problem("bad_status", f"Unknown status “{raw.status}” (use Open, In progress, Complete or Closed).")
            )
        else:
            plan.status, plan.status_note = status
            if raw.note.strip():
                plan.status_note = "; ".join(filter(None, [plan.status_note, " ".join(raw.note.split())]))[
                    :MAX_NOTE_CHARS
                ]

        # Which existing action is this row? By number; rows without one, by their text.
        existing = None
        if plan.number is not None:
            existing = by_number.get(plan.number)
            if (
                existing is not None
                and plan.text
                and not (_same_text(existing.text, plan.text) or _similar_text(existing.text, plan.text))
            ):
                problems.append(
                    Problem(
                        "number_clash",
                        f"Number {plan.number} is already a different action on this board: “{existing.text[:80]}”.",
                    )
                )
                existing = None
        elif not raw.number and plan.text:
            same = [a for a in by_text.get(" ".join(plan.text.split()).casefold(), []) if a.removed_at is None]
            existing = same[0] if same else None
        if existing is not None and existing.removed_at is not None:
            problems.append(
                Problem(
                    "removed", f"Action {existing.number} was removed from the log; the import does not bring it back."
                )
            )
            existing = None
        plan.action = existing

        # Rows whose only problem is initials nobody has are shown as they would go if the
        # people were created; without "create people" they are skipped at confirm.
        if plan.blocking_problems:
            plan.kind = SKIP
            plans.append(plan)
            continue
        # People to create: those of the rows that will be imported, never of skipped ones.
        unknown.update(dict.fromkeys(plan.unknown_initials))
        if existing is None:
            plan.kind = CREATE
        else:
            plan.changes = _changes(existing, plan)
            plan.kind = UPDATE if plan.changes else UNCHANGED
        plans.append(plan)
    return Preview(rows=plans, unknown_initials=list(unknown))


def _changes(action, plan: RowPlan) -> list[str]:
    changes = []
    if not _same_text(action.text, plan.text):
        changes.append("text")
    if [p.pk for p in action.people] != [p.pk for p in plan.people] or plan.unknown_initials:
        changes.append("responsible")
    if action.whole_board != plan.whole_board and "responsible" not in changes:
        changes.append("responsible")
    if plan.issued_month_only:
        if (action.issued_on.year, action.issued_on.month) != (plan.issued_on.year, plan.issued_on.month):
            changes.append("issued")
    elif action.issued_on != plan.issued_on:
        changes.append("issued")
    if action.status != plan.status or action.status_note != plan.status_note:
        changes.append("status")
    return changes


def preview_import(*, board, rows: Sequence[RawRow], extra_people: Iterable = (), lock: bool = False) -> Preview:
    """`plan_rows` with the board's people and actions read from the database (two queries, three with locking)."""
    from meetings.models import Membership

    from .models import Action
    from .selectors import people_known_to

    actions = Action.objects.filter(board=board).with_people()
    if lock:
        actions = actions.select_for_update(of=("self",))
    current = Membership.objects.current().filter(board=board).values_list("person_id", flat=True)
    return plan_rows(
        rows,
        people=list(people_known_to(board)) + list(extra_people),
        actions=list(actions),
        current_person_ids=list(current),
    )
