"""Test files for the action-log import, built in memory: seed 000's action log as Word, CSV and Excel."""

import csv
import io
import json
import zipfile
from pathlib import Path

import docx
import openpyxl

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "south_east_alb.json"


def written_rows() -> tuple[int, ...]:
    """Rows in every table an import writes to, history included: equal before and after = nothing written."""
    from actions.models import Action, ActionUpdate, Responsibility
    from meetings.models import Person

    return (
        Action.objects.count(),
        Action.history.count(),
        ActionUpdate.objects.count(),
        Responsibility.objects.count(),
        Responsibility.history.count(),
        Person.objects.count(),
    )


def seed_data() -> dict:
    return json.loads(SEED.read_text())


def seed_rows() -> list[list[str]]:
    """The seed's action log exactly as the minutes write it: number, action, responsible, date issued, status."""
    return [
        [str(a["number"]), a["text"], a["responsible_as_written"], a["issued_as_written"], a["status_as_written"]]
        for a in seed_data()["action_log"]["actions"]
    ]


def docx_bytes(rows, header=("", "Action", "Responsible", "Date issued", "Status"), *, other_table=True) -> bytes:
    document = docx.Document()
    document.add_heading("South East Region Adoption Leadership Board", 1)
    if other_table:
        # An attendance table before the log: the import must pick the action log.
        people = document.add_table(rows=1, cols=2)
        people.rows[0].cells[0].text, people.rows[0].cells[1].text = "Name", "Organisation"
        row = people.add_row().cells
        row[0].text, row[1].text = "Dr Mac Heath", "Milton Keynes"
    document.add_paragraph("Action log: This action log was updated on 17 April 2024")
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for values in rows:
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def csv_bytes(rows, header=("No.", "Action", "Responsible", "Date issued", "Status")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows, header=("Number", "Action", "Owner", "Raised", "Status")) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Action log"
    sheet.append(["South East Region ALB — action log"])
    sheet.append(list(header))
    for values in rows:
        # Numbers as numbers, as someone typing into Excel would have them.
        sheet.append([int(values[0]) if values[0].isdigit() else values[0], *values[1:]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_replace(data: bytes, member: str, content: bytes) -> bytes:
    """The same Office file with one member's content swapped, or added (for files too big to build slowly)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
        if member not in source.namelist():
            target.writestr(member, content)
    return out.getvalue()


def big_xlsx(rows: int) -> bytes:
    """A workbook of `rows` rows, its sheet XML written directly (openpyxl would take seconds)."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>Action {r}</t></is></c>'
        f'<c r="C{r}" t="inlineStr"><is><t>MH</t></is></c><c r="D{r}" t="inlineStr"><is><t>Feb 2024</t></is></c>'
        f'<c r="E{r}" t="inlineStr"><is><t>Open</t></is></c></row>'
        for r in range(2, rows + 2)
    )
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>No.</t></is></c><c r="B1" t="inlineStr"><is><t>Action</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>Responsible</t></is></c><c r="D1" t="inlineStr"><is><t>Date issued</t></is></c>'
        '<c r="E1" t="inlineStr"><is><t>Status</t></is></c></row>'
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{header}{cells}</sheetData></worksheet>"
    ).encode()
    return zip_replace(xlsx_bytes([], header=("x",)), "xl/worksheets/sheet1.xml", sheet)


def big_docx(rows: int) -> bytes:
    """A Word document whose one table has `rows` rows, its XML written directly."""

    def tr(*cells):
        return "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in cells) + "</w:tr>"

    body = tr("No.", "Action", "Responsible", "Date issued", "Status") + "".join(
        tr(r, f"Action number {r} of many", "MH", "Feb 2024", "Open") for r in range(1, rows + 1)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f"<w:tbl>{body}</w:tbl></w:body></w:document>"
    ).encode()
    return zip_replace(docx_bytes([], other_table=False), "word/document.xml", xml)


def zip_bomb(member: str = "xl/worksheets/sheet1.xml", megabytes: int = 60) -> bytes:
    """A small .xlsx-shaped zip whose one member unpacks to `megabytes` of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in ("xl/workbook.xml", "word/document.xml"):
            if name != member:
                archive.writestr(name, "<document/>")
        with archive.open(member, "w", force_zip64=True) as fh:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                fh.write(block)
    return out.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


# --------------------------------------------------------------------------- hostile and unusual files

WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def docx_with_body(body: str, *, prolog: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>') -> bytes:
    """A real Word file whose document part is `body` (the XML inside <w:body>)."""
    xml = f'{prolog}<w:document xmlns:w="{WORD_NS}"><w:body>{body}</w:body></w:document>'
    return zip_replace(docx_bytes([], other_table=False), "word/document.xml", xml.encode("utf-8"))


def word_table(*rows, cell=lambda text: f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>") -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(cell(c) for c in row) + "</w:tr>" for row in rows) + "</w:tbl>"


LOG_HEADER = ("No.", "Action", "Responsible", "Date issued", "Status")

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xlsx_part_replaced(member: str, xml: str, *, encoding: str = "utf-8") -> bytes:
    return zip_replace(xlsx_bytes(seed_rows()), member, xml.encode(encoding))


def xlsx_sheet(rows_xml: str) -> bytes:
    """A workbook whose first sheet's <sheetData> is `rows_xml`."""
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><sheetData>{rows_xml}</sheetData></worksheet>'
    return zip_replace(xlsx_bytes([], header=("x",)), "xl/worksheets/sheet1.xml", sheet.encode())


def inline_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def utf16_text(rows, header=LOG_HEADER) -> bytes:
    """Excel's "Unicode text" export: tab-separated, UTF-16 little-endian with a byte-order mark."""
    out = io.StringIO()
    csv.writer(out, dialect="excel-tab").writerows([header, *rows])
    return out.getvalue().encode("utf-16")


def cp1252_csv(rows, header=LOG_HEADER) -> bytes:
    """Excel's plain "CSV" on Windows: cp1252, comma-separated."""
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("cp1252")


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256)) * 64
