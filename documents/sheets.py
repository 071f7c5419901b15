"""The action log as CSV and Excel: pure renderers that take rows and return bytes (views add the headers)."""

import csv
import datetime
import io
import operator
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice

import xlsxwriter

from actions.selectors import ExportRow
from adoptboard.text import printable

# (header, ExportRow attribute, Excel column width in characters)
COLUMNS = [
    ("No.", "number", 6),
    ("Action", "text", 60),
    ("Responsible", "responsible", 14),
    ("Date issued", "issued_on", 13),
    ("Meeting", "meeting", 13),
    ("Due date", "due_date", 13),
    ("Status", "status", 13),
    ("Status note", "status_note", 30),
    ("Last update", "last_update_on", 13),
    ("Last update note", "last_update_note", 50),
]
HEADERS = [header for header, _, _ in COLUMNS]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection");
# tab and carriage return are there because some spreadsheets skip them before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Text as text: a leading single quote keeps a spreadsheet from evaluating it; control
    characters (which Excel's XML cannot hold) are taken out."""
    value = printable(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


_in_column_order = operator.attrgetter(*(attribute for _, attribute, _ in COLUMNS))


def _values(row: ExportRow) -> list:
    return [neutralise(value) if isinstance(value, str) else value for value in _in_column_order(row)]


def action_log_csv_chunks(rows: Iterable[ExportRow], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV as it is written, a few hundred rows a chunk, for a streamed response."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(HEADERS)
    # The csv module writes None as "" and a date as str() does, YYYY-MM-DD: values go in as they are.
    rows = iter(rows)
    while chunk := list(islice(rows, rows_per_chunk)):
        writer.writerows(map(_values, chunk))
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():  # an empty log: the header alone
        yield out.getvalue().encode("utf-8")


def action_log_csv(rows: Iterable[ExportRow]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads names like "Zoë" right; dates as YYYY-MM-DD."""
    return b"".join(action_log_csv_chunks(rows))


def action_log_xlsx(rows: Iterable[ExportRow], *, title: str = "Action log") -> bytes:
    with action_log_xlsx_file(rows, title=title) as file:
        return file.read()


def action_log_xlsx_file(rows: Iterable[ExportRow], *, title: str = "Action log"):
    """One sheet: a bold, frozen header row, set column widths, dates stored as dates.

    Returned as an open temporary file, at its start, for a streamed response: XlsxWriter's
    constant_memory mode writes each row out to a temporary file once the next one starts, and the
    workbook is zipped into another, so memory stays flat whatever the number of rows.
    """
    out = tempfile.TemporaryFile()  # noqa: SIM115 (returned open: the response closes it)
    with _workbook(out) as workbook:
        _write_log_sheet(workbook, rows, title=title)
    out.seek(0)
    return out


def _write_log_sheet(workbook: xlsxwriter.Workbook, rows: Iterable[ExportRow], *, title: str) -> None:
    sheet = workbook.add_worksheet(_sheet_title(title))
    for index, (_, _, width) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    bold = workbook.add_format({"bold": True})
    for index, text in enumerate(HEADERS):
        sheet.write_string(0, index, text, bold)

    # Each cell by its own writer: write() would look again at the type of every value. Dates go
    # in as Excel's day numbers in a date format, which is all write_datetime() writes.
    date = workbook.add_format({"num_format": "d mmm yyyy"})
    write_string, write_number = sheet.write_string, sheet.write_number
    for line, row in enumerate(rows, start=1):
        for index, value in enumerate(_values(row)):
            if value is None or value == "":
                continue  # an empty cell
            if isinstance(value, str):
                write_string(line, index, value)
            elif isinstance(value, datetime.date):
                write_number(line, index, _excel_day(value), date)
            else:
                write_number(line, index, value)


# Excel's day 1 is 1 January 1900, and it counts a 29 February 1900 that never was (XlsxWriter's
# arithmetic, done here without building a datetime for each of a long log's 150,000 dates).
_EXCEL_DAY_ZERO = datetime.date(1899, 12, 31).toordinal()


def _excel_day(value: datetime.date) -> int:
    day = value.toordinal() - _EXCEL_DAY_ZERO
    return day + 1 if day > 59 else day


def _workbook(file) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook for an export: rows written in order and let go (flat memory), and
    text kept as text: nothing a user typed becomes a number, a formula or a link."""
    return xlsxwriter.Workbook(
        file,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters (counted in UTF-16, as an emoji is two), none of []:*?/\ nor a
    # line break, no apostrophe at either end (XlsxWriter refuses such names).
    cleaned = "".join(" " if ch in "[]:*?/\\\t\r\n" else ch for ch in printable(title)).strip(" '")
    cleaned = cleaned.encode("utf-16-le")[:62].decode("utf-16-le", errors="ignore").strip(" '")
    return cleaned or "Action log"


# --- The registers the minutes feed -------------------------------------------------------------


def _csv(headers: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [
                ""
                if v is None
                else v.isoformat()
                if isinstance(v, datetime.date)
                else neutralise(v)
                if isinstance(v, str)
                else v
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def decisions_csv(decisions: Iterable) -> bytes:
    """The decisions register: meeting date, item number and title, decision (UTF-8 with BOM)."""
    return _csv(
        ["Meeting", "Item", "Item title", "Decision"],
        ([d.meeting.date, d.item.position, d.item.title, d.text] for d in decisions),
    )


def interests_csv(declarations: Iterable) -> bytes:
    """The register of interests: meeting date, person, initials, item, interest ("None declared")."""
    return _csv(
        ["Meeting", "Person", "Initials", "Item", "Interest declared"],
        (
            [
                d.meeting.date,
                str(d.person),
                d.person.initials,
                f"{d.item.position}. {d.item.title}" if d.item_id else "",
                "None declared" if d.none_declared else d.interest,
            ]
            for d in declarations
        ),
    )
