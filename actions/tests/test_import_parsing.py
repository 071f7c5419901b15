"""Reading action logs as people write them: statuses, dates, initials, headers, and files that refuse."""

import contextlib
import datetime
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.importing import (
    MAX_ROWS,
    ImportRefused,
    map_header,
    parse_issued,
    parse_status,
    read_file,
    split_responsible,
)
from actions.models import Status

from .import_files import (
    BILLION_LAUGHS,
    LOG_HEADER,
    PNG,
    XXE,
    big_docx,
    big_xlsx,
    csv_bytes,
    docx_bytes,
    docx_with_body,
    seed_rows,
    word_table,
    xlsx_bytes,
    xlsx_part_replaced,
    zip_bomb,
)


@pytest.mark.parametrize(
    "written, status, note",
    [
        ("complete", Status.COMPLETE, ""),
        ("Completed", Status.COMPLETE, ""),
        ("Open", Status.OPEN, ""),
        ("closed", Status.CLOSED, ""),
        ("Closed", Status.CLOSED, ""),
        ("Closed (move to kinship care group)", Status.CLOSED, "move to kinship care group"),
        # the seed's own typing, an opening bracket missing
        ("Closed move to kinship care group)", Status.CLOSED, "move to kinship care group"),
        ("Closed – moved to the kinship care group", Status.CLOSED, "moved to the kinship care group"),
        ("In progress", Status.IN_PROGRESS, ""),
        ("ongoing: waiting for data", Status.IN_PROGRESS, "waiting for data"),
        ("  ", Status.OPEN, ""),
    ],
)
def test_it_reads_statuses_as_people_write_them(written, status, note):
    assert parse_status(written) == (status, note)


@pytest.mark.parametrize("written", ["maybe", "Openness", "tbc"])
def test_it_does_not_guess_an_unknown_status(written):
    assert parse_status(written) is None


@pytest.mark.parametrize(
    "written, date, month_only",
    [
        ("Feb 2024", datetime.date(2024, 2, 1), True),
        ("Oct 2022", datetime.date(2022, 10, 1), True),
        ("April 2023", datetime.date(2023, 4, 1), True),
        ("July 2023", datetime.date(2023, 7, 1), True),
        ("Sept 23", datetime.date(2023, 9, 1), True),
        ("Jan2025", datetime.date(2025, 1, 1), True),
        ("17/04/2024", datetime.date(2024, 4, 17), False),
        ("17 April 2024", datetime.date(2024, 4, 17), False),
        ("2024-04-17", datetime.date(2024, 4, 17), False),
        ("04/2024", datetime.date(2024, 4, 1), True),
    ],
)
def test_it_reads_dates_as_people_write_them(written, date, month_only):
    assert parse_issued(written) == (date, month_only)


@pytest.mark.parametrize("written", ["sometime", "Feb", "31/02/2024", "13/13/2024", "Febtember 2024", ""])
def test_it_does_not_guess_an_unreadable_date(written):
    assert parse_issued(written) is None


@pytest.mark.parametrize(
    "written, initials, whole_board",
    [
        ("RE/MH", ["RE", "MH"], False),
        ("RE MH LH", ["RE", "MH", "LH"], False),
        ("MH and all", ["MH"], True),
        ("all", [], True),
        ("RE and LP", ["RE", "LP"], False),
        ("RE, MH & LH", ["RE", "MH", "LH"], False),
    ],
)
def test_it_splits_responsible_initials(written, initials, whole_board):
    assert split_responsible(written) == (initials, whole_board)


@pytest.mark.parametrize(
    "header, field",
    [
        ("", None),
        ("Action", "text"),
        ("ACTIONS", "text"),
        ("No.", "number"),
        ("Action No", "number"),
        ("Responsible", "responsible"),
        ("Owner", "responsible"),
        ("Lead", "responsible"),
        ("Action owner", "responsible"),
        ("Date issued", "issued"),
        ("Date  Issued ", "issued"),
        ("Raised", "issued"),
        ("Date", "issued"),
        ("Due date", None),
        ("Status", "status"),
        ("Comments", "note"),
    ],
)
def test_it_maps_headers_forgivingly(header, field):
    assert map_header(header) == field


@pytest.mark.parametrize(
    "name, build, columns",
    [
        (
            "log.docx",
            docx_bytes,
            {
                "number": "(no heading)",
                "text": "Action",
                "responsible": "Responsible",
                "issued": "Date issued",
                "status": "Status",
            },
        ),
        (
            "log.csv",
            csv_bytes,
            {
                "number": "No.",
                "text": "Action",
                "responsible": "Responsible",
                "issued": "Date issued",
                "status": "Status",
            },
        ),
        (
            "log.xlsx",
            xlsx_bytes,
            {"number": "Number", "text": "Action", "responsible": "Owner", "issued": "Raised", "status": "Status"},
        ),
    ],
)
def test_it_reads_the_seed_log_from_each_kind_of_file(name, build, columns):
    parsed = read_file(name, build(seed_rows()))
    assert parsed.columns == columns
    assert [[r.number, r.text, r.responsible, r.issued, r.status] for r in parsed.rows] == seed_rows()


def test_it_reads_a_word_log_without_a_number_column():
    rows = [r[1:] for r in seed_rows()]
    parsed = read_file("log.docx", docx_bytes(rows, header=("Action", "Lead", "Raised", "Status")))
    assert len(parsed.rows) == 18
    assert {r.number for r in parsed.rows} == {""}
    assert parsed.rows[0].responsible == "all"


def test_it_reads_semicolon_separated_csv():
    data = b"No.;Action;Owner;Date;Status\n5;Write to DCSs;MH;Feb 2024;Open\n"
    parsed = read_file("log.csv", data)
    assert parsed.rows[0].text == "Write to DCSs"
    assert parsed.rows[0].responsible == "MH"


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("photo.xlsx", PNG, "not_what_name_says"),
        ("photo.docx", PNG, "not_what_name_says"),
        ("log.docx", xlsx_bytes(seed_rows()), "not_what_name_says"),  # an Excel file renamed
        ("log.xlsx", docx_bytes(seed_rows()), "not_what_name_says"),
        ("noise.csv", bytes(range(256)) * 20, "not_csv"),
        ("noise.xlsx", os.urandom(4000), "not_what_name_says"),
        ("log.xls", b"\xd0\xcf\x11\xe0", "bad_extension"),
        ("log.pdf", b"%PDF-1.4", "bad_extension"),
        ("empty.csv", b"", "empty"),
        ("letter.csv", b"Dear all,\nplease find the minutes attached.\n", "no_table"),
    ],
)
def test_it_refuses_files_that_are_not_what_their_name_says(name, data, code):
    with pytest.raises(ImportRefused) as refusal:
        read_file(name, data)
    assert refusal.value.code == code


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_it_refuses_a_zip_bomb_before_opening_it(member, monkeypatch):
    bomb = zip_bomb(member, megabytes=60)
    assert len(bomb) < 200_000

    def never(*args, **kwargs):
        raise AssertionError("a member of the bomb was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    with pytest.raises(ImportRefused) as refusal:
        read_file("log.xlsx", bomb)
    assert refusal.value.code == "zip_bomb"


def test_it_refuses_a_small_high_ratio_member_in_a_word_file():
    with pytest.raises(ImportRefused) as refusal:
        read_file("log.docx", zip_bomb("word/document.xml", megabytes=10))
    assert refusal.value.code == "zip_bomb"


@pytest.mark.parametrize(
    "name, build",
    [
        ("big.csv", lambda n: csv_bytes([[str(i), f"Action {i}", "MH", "Feb 2024", "Open"] for i in range(1, n + 1)])),
        ("big.xlsx", big_xlsx),
        ("big.docx", big_docx),
    ],
)
def test_it_refuses_100000_rows_without_reading_them_all(name, build, monkeypatch):
    # No hang: reading stops just past the limit, and no spreadsheet or Word parser builds the whole file.
    import csv

    import docx
    import openpyxl

    data = build(100_000)
    assert len(data) < 5 * 1024 * 1024
    consumed = 0
    real_reader = csv.reader

    def counting_reader(*args, **kwargs):
        nonlocal consumed
        for row in real_reader(*args, **kwargs):
            consumed += 1
            yield row

    def never(*args, **kwargs):
        raise AssertionError("the whole file was handed to a parser")

    monkeypatch.setattr(csv, "reader", counting_reader)
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    monkeypatch.setattr(docx, "Document", never)
    with pytest.raises(ImportRefused) as refusal:
        read_file(name, data)
    assert refusal.value.code == "too_many_rows"
    assert "5,000" in refusal.value.message
    assert consumed <= MAX_ROWS + 25


def test_it_refuses_entity_declarations_in_office_xml():
    from .import_files import zip_replace

    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'
    )
    with pytest.raises(ImportRefused) as refusal:
        read_file("log.docx", zip_replace(docx_bytes([]), "word/document.xml", evil))
    assert refusal.value.code == "not_what_name_says"


from .import_files import zip_replace  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), extension=st.sampled_from([".csv", ".xlsx", ".docx"]))
def test_any_bytes_are_read_or_refused_never_an_error(data, extension):
    with contextlib.suppress(ImportRefused):
        read_file("upload" + extension, data)


@pytest.mark.parametrize(
    "name, base, member",
    [
        ("log.xlsx", lambda: xlsx_bytes(seed_rows()), "xl/workbook.xml"),
        ("log.xlsx", lambda: xlsx_bytes(seed_rows()), "xl/worksheets/sheet1.xml"),
        ("log.docx", lambda: docx_bytes(seed_rows()), "word/document.xml"),
        ("log.docx", lambda: docx_bytes(seed_rows()), "[Content_Types].xml"),
    ],
)
def test_a_broken_part_inside_a_real_office_file_is_refused(name, base, member):
    with pytest.raises(ImportRefused) as refusal:
        read_file(name, zip_replace(base(), member, b"<not-closed"))
    assert refusal.value.code in {"unreadable", "no_table"}


def test_a_csv_cell_too_long_for_the_csv_reader_is_refused():
    data = b"No.,Action,Responsible,Date issued,Status\n1," + b"x" * 200_000 + b",MH,Feb 2024,Open\n"
    with pytest.raises(ImportRefused) as refusal:
        read_file("log.csv", data)
    assert refusal.value.code == "not_csv"


def test_it_reads_dates_that_excel_stores_as_dates():
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["No.", "Action", "Responsible", "Date issued", "Status"])
    sheet.append([75, "Typed as Feb 2024", "MH", datetime.datetime(2024, 2, 1), "complete"])
    sheet.append([76.0, "Typed as a day", "MH", datetime.datetime(2024, 4, 17), "Open"])
    out = io.BytesIO()
    workbook.save(out)
    rows = read_file("log.xlsx", out.getvalue()).rows
    assert [(r.number, r.issued) for r in rows] == [("75", "Feb 2024"), ("76", "2024-04-17")]
    assert parse_issued(rows[0].issued) == (datetime.date(2024, 2, 1), True)
    assert parse_issued(rows[1].issued) == (datetime.date(2024, 4, 17), False)


# --------------------------------------------------------------------------- Word, read as a stream


def test_a_word_document_is_read_without_building_its_tree(monkeypatch):
    # A table of 300 rows whose action cells are 400 runs each, and one paragraph of 20,000 runs:
    # however long the document, the tree lxml holds stays at the elements still open.
    from actions.importing import readers

    def words(n):
        return "".join(f"<w:r><w:rPr><w:b/></w:rPr><w:t>w{i} </w:t></w:r>" for i in range(n))

    def cell(runs):
        return f"<w:tc><w:p>{runs}</w:p></w:tc>"

    header = "<w:tr>" + "".join(cell(f"<w:r><w:t>{h}</w:t></w:r>") for h in LOG_HEADER) + "</w:tr>"
    rows = "".join(
        "<w:tr>"
        + cell(f"<w:r><w:t>{n}</w:t></w:r>")
        + cell(words(400))
        + "".join(cell(f"<w:r><w:t>{v}</w:t></w:r>") for v in ("MH", "Feb 2024", "Open"))
        + "</w:tr>"
        for n in range(1, 301)
    )
    data = docx_with_body(f"<w:p>{words(20_000)}</w:p><w:tbl>{header}{rows}</w:tbl>")
    largest = 0
    prune = readers._WordReader._prune

    def measured(self):
        nonlocal largest
        prune(self)
        largest = max(largest, sum(1 for _ in self.root.iter()))

    monkeypatch.setattr(readers._WordReader, "_prune", measured)
    parsed = read_file("log.docx", data)
    assert len(parsed.rows) == 300
    assert parsed.rows[0].text.startswith("w0 w1 w2 ") and parsed.rows[0].text.endswith("w399")
    # After each 64 KB chunk: the open path and the last chunk's elements, never the document's
    # 600,000 elements (python-docx held them all: 611 MB for a 43 MB part).
    assert 0 < largest < 10_000


def test_word_tables_inside_tables_and_cells_spanning_columns_read_as_before():
    def cell(text, span=1):
        props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
        return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    inner = "<w:tbl><w:tr>" + cell("inner a") + cell("inner b") + "</w:tr></w:tbl>"
    outer = (
        "<w:tbl><w:tr>" + cell("Name") + cell("Notes") + "</w:tr>"
        "<w:tr>"
        + cell("Dr Mac Heath")
        + f"<w:tc><w:p><w:r><w:t>see</w:t></w:r></w:p>{inner}</w:tc>"
        + "</w:tr></w:tbl>"
    )
    log = (
        "<w:tbl><w:tr>" + "".join(cell(h) for h in ("", *LOG_HEADER[1:])) + "</w:tr>"
        "<w:tr>" + cell("2023 actions", span=5) + "</w:tr>"
        "<w:tr>" + "".join(cell(v) for v in ("75", "Send the figures", "MH", "Feb 2024", "Open")) + "</w:tr></w:tbl>"
    )
    parsed = read_file("log.docx", docx_with_body(outer + log))
    # The attendance table is 1, the table inside it 2, the log 3; the merged heading row is no action.
    assert parsed.source == "table 3"
    assert [(r.where, r.number, r.text) for r in parsed.rows] == [("table 3, row 3", "75", "Send the figures")]


@pytest.mark.parametrize(
    "name, build",
    [
        (
            "log.docx",
            lambda: docx_with_body(
                "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>" + word_table(LOG_HEADER), prolog=BILLION_LAUGHS
            ),
        ),
        (
            "log.docx",
            lambda: docx_with_body("<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>" + word_table(LOG_HEADER), prolog=XXE),
        ),
        ("log.xlsx", lambda: xlsx_part_replaced("xl/workbook.xml", BILLION_LAUGHS + "<workbook>&lol9;</workbook>")),
        ("log.xlsx", lambda: xlsx_part_replaced("xl/styles.xml", XXE + "<styleSheet>&xxe;</styleSheet>")),
    ],
)
def test_entities_are_refused_by_the_parsers_too_not_only_by_the_zip_scan(name, build, monkeypatch):
    from actions.importing import readers

    monkeypatch.setattr(readers, "_scan_part", lambda *args: None)
    with pytest.raises(ImportRefused) as refusal:
        read_file(name, build())
    # The DTD refused (or, for the laughs in Word, libxml2's own limit on entity amplification
    # stops the parse: "unreadable"); nothing expanded, nothing fetched.
    assert refusal.value.code in {"not_what_name_says", "unreadable"}


def test_openpyxl_reads_sheets_with_defusedxml():
    import defusedxml.ElementTree
    from openpyxl.xml import functions

    assert functions.iterparse is defusedxml.ElementTree.iterparse
