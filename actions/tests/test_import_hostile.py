"""Hostile and unusual files through the import page: refused with a message or previewed with each
row's problems, never a server error, never a row written. And the files that look odd but are
ordinary (Excel's UTF-16 "Unicode text", Windows' cp1252 CSV) read as their authors wrote them."""

import io
import random
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.importing import RawRow, read_file
from actions.models import Action, ActionUpdate, Status
from actions.services import actions_import
from meetings.models import Membership, Person, Role

from .import_files import (
    BILLION_LAUGHS,
    ELF,
    EXE,
    LOG_HEADER,
    PNG,
    XXE,
    big_docx,
    cp1252_csv,
    csv_bytes,
    docx_bytes,
    docx_with_body,
    inline_row,
    seed_rows,
    utf16_text,
    word_table,
    written_rows,
    xlsx_bytes,
    xlsx_part_replaced,
    xlsx_sheet,
    zip_bomb,
    zip_replace,
)


@pytest.fixture
def people(board):
    for initials in ("MH", "RE"):
        Membership.objects.create(board=board, person=Person.objects.create(initials=initials), role=Role.MEMBER)


def upload(client, board, name, data):
    return client.post(
        reverse("actions:action-import", kwargs={"slug": board.slug}), {"file": SimpleUploadedFile(name, data)}
    )


def confirm(client, board, response):
    payload = response.context["form"].initial["payload"]
    return client.post(reverse("actions:action-import-confirm", kwargs={"slug": board.slug}), {"payload": payload})


def csv_of(rows) -> bytes:
    return csv_bytes(rows)


def many_columns_csv(columns: int) -> bytes:
    return b"No.,Action,Responsible,Date issued,Status" + b",x" * columns + b"\n1,Send it,MH,Feb 2024,Open\n"


def many_cells_xlsx(cells: int) -> bytes:
    """One sheet row of `cells` numeric cells: small enough zipped, too wide for any action log."""
    rnd = random.Random(3)
    row = "".join(f"<c><v>{rnd.randrange(10**6)}</v></c>" for _ in range(cells))
    return xlsx_sheet(inline_row(1, *LOG_HEADER) + f'<row r="2">{row}</row>')


def xlsx_zip_of(members: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(members):
            archive.writestr(f"xl/media/image{n}.png", PNG)
    return out.getvalue()


def extreme_rows():
    return [
        ["99999999999999999999", "A number too long for any log", "MH", "Feb 2024", "Open"],
        ["-1", "A negative number", "MH", "Feb 2024", "Open"],
        ["0", "Number nought", "MH", "Feb 2024", "Open"],
        ["1e309", "A number as a float", "MH", "Feb 2024", "Open"],
        ["5", "Year nought", "MH", "0000-01-01", "Open"],
        ["6", "The first year", "MH", "0001-01-01", "Open"],
        ["7", "The last day", "MH", "9999-12-31", "Open"],
        ["8", "No such day", "MH", "31/02/2024", "Open"],
        ["9", "A year with five digits", "MH", "1/1/10000", "Open"],
    ]


def excel_date_out_of_range() -> bytes:
    """A date cell whose serial number is past 9999-12-31 (Excel shows ####)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(LOG_HEADER))
    sheet.append([5, "A date past the calendar", "MH", 99999999, "Open"])
    sheet["D2"].number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Each: a name, a builder (called in the test, so collecting builds nothing), and the words the
# refusal says next to the field (or the status of a refusal before the view), or None for a file
# that is previewed with a problem on each bad row.
HOSTILE = {
    "empty": ("log.csv", lambda: b"", "The submitted file is empty"),
    "blank": ("log.csv", lambda: b" \n\n  \r\n", "The file is empty"),
    # Over the largest upload of the app (a paper): refused by its length before any view reads it.
    "30 MB": ("log.csv", lambda: b"1,x,MH,Feb 2024,Open\n" * (30 * 1024 * 1024 // 21), 413),
    "6 MB": ("log.csv", lambda: b"1,x,MH,Feb 2024,Open\n" * (6 * 1024 * 1024 // 21), "larger than 5 MB"),
    "exe as .xlsx": ("log.xlsx", lambda: EXE, "not a real Excel"),
    "exe as .docx": ("log.docx", lambda: EXE, "not a real Word"),
    "exe as .csv": ("log.csv", lambda: EXE, "not a CSV text file"),
    "elf as .csv": ("log.csv", lambda: ELF, "not a CSV text file"),
    "pdf as .docx": ("log.docx", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8, "not a real Word"),
    "workbook as .docx": ("log.docx", lambda: xlsx_bytes(seed_rows()), "not a real Word"),
    "zip bomb .xlsx": ("log.xlsx", lambda: zip_bomb(megabytes=60), "zip bomb"),
    "zip bomb .docx": ("log.docx", lambda: zip_bomb("word/document.xml", megabytes=60), "zip bomb"),
    "zip of 1,500 members": ("log.xlsx", lambda: xlsx_zip_of(1500), "zip bomb"),
    "billion laughs, Word": (
        "log.docx",
        lambda: docx_with_body("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", prolog=BILLION_LAUGHS),
        "not a real Word",
    ),
    "billion laughs, sheet": (
        "log.xlsx",
        lambda: xlsx_part_replaced("xl/worksheets/sheet1.xml", BILLION_LAUGHS + "<worksheet>&lol9;</worksheet>"),
        "not a real Excel",
    ),
    "billion laughs, workbook": (
        "log.xlsx",
        lambda: xlsx_part_replaced("xl/workbook.xml", BILLION_LAUGHS + "<workbook>&lol9;</workbook>"),
        "not a real Excel",
    ),
    "XXE, Word": (
        "log.docx",
        lambda: docx_with_body("<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", prolog=XXE),
        "not a real Word",
    ),
    "XXE, shared strings": (
        "log.xlsx",
        lambda: xlsx_part_replaced("xl/sharedStrings.xml", XXE + "<sst><si><t>&xxe;</t></si></sst>"),
        "not a real Excel",
    ),
    "XXE, styles": (
        "log.xlsx",
        lambda: xlsx_part_replaced("xl/styles.xml", XXE + "<styleSheet>&xxe;</styleSheet>"),
        "not a real Excel",
    ),
    "XXE in UTF-16, Word": (
        "log.docx",
        lambda: zip_replace(
            docx_bytes(seed_rows()),
            "word/document.xml",
            ('<?xml version="1.0" encoding="UTF-16"?>' + XXE[21:] + "<w:document>&xxe;</w:document>").encode("utf-16"),
        ),
        "not a real Word",
    ),
    "100,000 rows, CSV": (
        "log.csv",
        lambda: csv_of([[str(i), f"Action {i}", "MH", "Feb 2024", "Open"] for i in range(1, 100_001)]),
        "more than 5,000 rows",
    ),
    "100,000 rows, Word": ("log.docx", lambda: big_docx(100_000), "more than 5,000 rows"),
    "a million blank lines": (
        "log.csv",
        lambda: b"No.,Action,Responsible,Date issued,Status\n" + b",\n" * 1_000_000,
        "more than 5,000 rows",
    ),
    "2 million columns, CSV": ("log.csv", lambda: many_columns_csv(2_000_000), "far more columns"),
    "2 million columns, Excel": (
        "log.xlsx",
        lambda: xlsx_sheet(inline_row(1, *LOG_HEADER) + '<row r="2">' + "<c><v>1</v></c>" * 2_000_000 + "</row>"),
        "zip bomb",
    ),
    "30,000 columns, Excel": ("log.xlsx", lambda: many_cells_xlsx(30_000), "far more columns"),
    "2 million columns, Word": (
        "log.docx",
        lambda: docx_with_body(word_table(LOG_HEADER, ["1"] * 2_000_000, cell=lambda t: "<w:tc/>")),
        "zip bomb",
    ),
    "extreme numbers and dates": ("log.csv", lambda: csv_of(extreme_rows()), None),
    "date past the calendar, Excel": ("log.xlsx", excel_date_out_of_range, None),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_refused_or_shown_with_its_problems_and_nothing_is_written(
    client, board, secretary, people, case
):
    name, build, refusal = HOSTILE[case]
    client.force_login(secretary)
    before = written_rows()
    response = upload(client, board, name, build())
    # The test client raises what the view raised: reaching here means no 500.
    if isinstance(refusal, int):
        assert response.status_code == refusal
    elif refusal is not None:
        assert response.status_code == 400
        assert refusal in " ".join(response.context["form"].errors["file"])
    else:
        assert response.status_code == 200
        preview = response.context["preview"]
        assert preview.rows and all(row.problems for row in preview.rows)
        assert confirm(client, board, response).status_code == 302
    assert written_rows() == before


def test_extreme_numbers_and_dates_each_have_their_problem(client, board, secretary, people):
    client.force_login(secretary)
    rows = upload(client, board, "log.csv", csv_of(extreme_rows())).context["preview"].rows
    codes = {row.raw.text: [p.code for p in row.problems] for row in rows}
    assert codes == {
        "A number too long for any log": ["bad_number"],
        "A negative number": ["bad_number"],
        "Number nought": ["bad_number"],
        "A number as a float": ["bad_number"],
        "Year nought": ["bad_date"],
        "The first year": ["bad_date"],
        "The last day": ["bad_date"],
        "No such day": ["bad_date"],
        "A year with five digits": ["bad_date"],
    }


def test_excels_unicode_text_is_read_not_refused(client, board, secretary, people):
    rows = [
        ["75", "Write to the DCSs – “kinship” data, £2k budget; Zoë to lead", "MH/RE", "Feb 2024", "Open"],
        ["76", "Agree the leaflet\nwith both agencies", "RE", "17/04/2024", "Closed (sent)"],
    ]
    data = utf16_text(rows)
    assert data.startswith(b"\xff\xfe") and b"\x00" in data
    client.force_login(secretary)
    response = upload(client, board, "action log.txt", data)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(r.number, r.text, r.kind, r.problems) for r in preview.rows] == [
        (75, rows[0][1], "create", []),
        (76, rows[1][1], "create", []),
    ]
    assert confirm(client, board, response).status_code == 302
    assert Action.objects.get(board=board, number=75).text == rows[0][1]
    assert Action.objects.get(board=board, number=76).status_note == "sent"


def test_a_windows_csv_in_cp1252_is_read_as_written(client, board, secretary, people):
    text = "Café meeting – “early permanence” costs £3,000; ask Zoë’s team"
    data = cp1252_csv([["5", text, "MH", "Feb 2024", "Open"]])
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    client.force_login(secretary)
    response = upload(client, board, "log.csv", data)
    assert response.status_code == 200
    assert response.context["preview"].rows[0].text == text
    assert text in response.content.decode()


def test_a_latin1_csv_with_bytes_cp1252_leaves_undefined_is_read_too():
    # 0x81 and 0x8D are not cp1252 characters: such a file is ISO Latin-1, read as such.
    data = b"No.,Action,Responsible,Date issued,Status\n5,Caf\xe9 \x81 \xa3 5,MH,Feb 2024,Open\n"
    assert read_file("log.csv", data).rows[0].text == "Café \x81 £ 5"


# --------------------------------------------------------------------------- control characters

CONTROL = "".join(chr(c) for c in range(32) if c not in (9, 10)) + "\ufffe\uffff"


def test_control_characters_are_stripped_from_a_csv_before_the_preview_and_the_save(client, board, secretary, people):
    dirty = "Send\x0b the\x01 figures\x1f\ufffe to\r\nthe DCS\uffff group"
    rows = [["5", dirty, "M\x0cH", "Feb\x02 2024", "Closed (\x07sent\x1b)"]]
    client.force_login(secretary)
    response = upload(client, board, "log.csv", csv_of(rows))
    assert response.status_code == 200
    row = response.context["preview"].rows[0]
    assert (row.raw.text, row.raw.responsible, row.raw.issued, row.raw.status) == (
        "Send the figures to\nthe DCS group",
        "MH",
        "Feb 2024",
        "Closed (sent)",
    )
    assert not any(c in response.content.decode() for c in CONTROL.replace("\r", ""))
    assert confirm(client, board, response).status_code == 302
    action = Action.objects.get(board=board, number=5)
    assert (action.text, action.status_note) == ("Send the figures to\nthe DCS group", "sent")
    assert not any(c in action.text + action.status_note for c in CONTROL)


def test_control_characters_excel_escapes_are_stripped_too():
    # Excel writes a vertical tab as _x000B_ and a carriage return as _x000D_; _x005F_ is "_".
    data = xlsx_sheet(
        inline_row(1, *LOG_HEADER)
        + inline_row(2, "5", "Send_x000B_ the figures_x000D_\nnow, see _x005F_x000D_", "MH", "Feb 2024", "Open")
    )
    assert read_file("log.xlsx", data).rows[0].text == "Send the figures\nnow, see _x000D_"


def test_control_characters_in_rows_given_to_the_service_are_stripped(board, people):
    # The command line and any other caller hand rows to the service directly.
    row = RawRow("row 2", "5", "Agree\x00 the\x1f plan\ufffe", "MH\x08", "Feb 2024", "Open\x0b", "noted\x0c")
    result = actions_import(board=board, rows=[row], create_people=False)
    assert result.created == 1
    action = Action.objects.get(board=board, number=5)
    assert (action.text, action.status, action.status_note) == ("Agree the plan", Status.OPEN, "noted")


def test_word_cells_keep_their_line_breaks_and_tabs_as_text():
    def cell(text):
        return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    # A tab stop in the paragraph's properties is no tab in its text.
    typed = (
        '<w:tc><w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        "<w:r><w:t>Agree</w:t><w:tab/><w:t>the plan</w:t><w:br/><w:t>with RE</w:t></w:r></w:p></w:tc>"
    )
    row = "<w:tr>" + cell("5") + typed + cell("MH") + cell("Feb 2024") + cell("Closed") + "</w:tr>"
    data = docx_with_body(word_table(LOG_HEADER)[: -len("</w:tbl>")] + row + "</w:tbl>")
    assert read_file("log.docx", data).rows[0].text == "Agree\tthe plan\nwith RE"


# --------------------------------------------------------------------------- the file's name

# Django keeps the last 255 characters' worth of a name (its extension kept) and drops any path.
ODD_NAME = "Board’s “action log” <b>&amp; 2024–25 ü ✓ 🚀 \u202etxt.exe ; DROP TABLE actions; -- " + "x" * 300 + ".csv"


def test_a_file_name_of_any_length_survives_preview_and_confirm(client, board, secretary, people):
    client.force_login(secretary)
    rows = [["5", "Send the figures", "MH", "Feb 2024", "Open"], ["6", "Write the leaflet", "RE", "Feb 2024", "Open"]]
    first = upload(client, board, ODD_NAME, csv_of(rows))
    assert first.status_code == 200
    assert confirm(client, board, first).status_code == 302
    # The same actions again with their statuses moved: updates whose note names the file.
    changed = [[n, t, r, d, "Closed"] for n, t, r, d, _ in rows]
    response = upload(client, board, ODD_NAME, csv_of(changed))
    assert response.status_code == 200
    name = response.context["filename"]
    assert len(name) > 240 and name.startswith("Board’s “action log” <b>&") and name.endswith("xx.csv")
    assert "\u202e" not in name  # a direction override would show "exe.txt" as "txt.exe"
    assert "&lt;b&gt;&amp;" in response.content.decode() and "<b>&" not in response.content.decode()
    done = confirm(client, board, response)
    assert done.status_code == 302
    page = client.get(done.url).content.decode()
    assert "0 created, 2 updated" in page
    assert {u.note for u in ActionUpdate.objects.all()} == {f"Imported from {name}."}
    limit = Action.history.model._meta.get_field("history_change_reason").max_length
    reasons = set(Action.history.values_list("history_change_reason", flat=True))
    assert all(len(r) <= limit for r in reasons) and len(reasons) == 1
    assert next(iter(reasons)).startswith("Imported from Board’s “action log”")
    assert next(iter(reasons)).endswith("xx.csv.")


def test_control_characters_in_a_file_name_are_dropped(client, board, secretary, people):
    client.force_login(secretary)
    response = upload(client, board, "log\x01\x7f 2024.csv", csv_of([["5", "Send it", "MH", "Feb 2024", "Open"]]))
    assert response.status_code == 200
    assert "\x01" not in response.context["filename"]
    assert confirm(client, board, response).status_code == 302
    assert "\x01" not in Action.history.get().history_change_reason
