import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import urls as action_urls
from actions.importing.readers import read_file
from actions.models import Action, ActionUpdate, Status
from actions.selectors import ExportRow
from actions.tests.test_action_log import make_action, make_many, person_of
from documents import sheets as exports
from documents import urls as document_urls
from documents.models import ExportStatus, LogExport
from meetings.models import Meeting


def csv_url(board, query=""):
    return reverse("documents:action-export-csv", kwargs={"slug": board.slug}) + query


def xlsx_url(board, query=""):
    return reverse("documents:action-export-xlsx", kwargs={"slug": board.slug}) + query


def body(response) -> bytes:
    """A download's bytes: the exports stream theirs."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(content) -> list[list[str]]:
    if not isinstance(content, bytes):
        content = body(content)
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content):
    if not isinstance(content, bytes):
        content = body(content)
    return openpyxl.load_workbook(io.BytesIO(content)).active


@pytest.fixture
def log(board, member, chair):
    """A small log with everything a row can hold: people, "all", a meeting, notes, updates, unicode."""
    feb = Meeting.objects.create(
        board=board, date=datetime.date(2024, 2, 23), start_time=datetime.time(10), end_time=datetime.time(11)
    )
    mary, colin = person_of(member), person_of(chair)
    a = make_action(
        board,
        59,
        text="Zoë to circulate the PLO report",
        people=[mary, colin],
        meeting=feb,
        issued_on=datetime.date(2024, 2, 23),
        status=Status.IN_PROGRESS,
    )
    ActionUpdate.objects.create(
        action=a,
        note="Draft seen",
        status_before="open",
        status_after="in_progress",
        created_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 9)),
    )
    ActionUpdate.objects.create(
        action=a,
        note="Second draft\nwith comments",
        status_before="in_progress",
        status_after="in_progress",
        created_at=timezone.make_aware(datetime.datetime(2024, 4, 17, 9)),
    )
    make_action(
        board,
        64,
        text="Kinship data",
        whole_board=True,
        people=[colin],
        status=Status.CLOSED,
        status_note="moved to kinship care group",
        issued_on=datetime.date(2023, 10, 1),
    )
    make_action(
        board,
        76,
        text='=HYPERLINK("http://evil.example","click")',
        whole_board=True,
        status_note="@SUM(1)",
        updates=["-2+3"],
        issued_on=datetime.date(2024, 2, 23),
    )
    return board


def expected_rows(board, **filters):
    """The database's rows, read without the export code: what each file must hold, in order."""
    rows = []
    for a in Action.objects.live().filter(board=board, **filters).with_people().order_by("-number"):
        last = a.updates.order_by("-created_at", "-pk").first()
        rows.append(
            [
                a.number,
                a.text,
                a.responsible_label(),
                a.issued_on,
                a.meeting.date if a.meeting else None,
                a.due_date,
                a.get_status_display(),
                a.status_note,
                timezone.localtime(last.created_at).date() if last else None,
                last.note if last else "",
            ]
        )
    return rows


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def test_the_csv_holds_the_database_rows(client, log, member):
    client.force_login(member)
    response = client.get(csv_url(log))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="test-alb-actions-')
    rows = read_csv(response)
    assert rows[0] == exports.HEADERS
    assert rows[1:] == [[as_text(v) for v in row] for row in expected_rows(log)]
    assert [r[0] for r in rows[1:]] == ["76", "64", "59"]
    assert rows[3][1] == "Zoë to circulate the PLO report" and rows[3][2] == "MM/CC" and rows[3][3] == "2024-02-23"
    assert rows[2][2] == "CC and all" and rows[1][2] == "all"


def test_the_excel_file_holds_the_database_rows_with_real_dates(client, log, member):
    client.force_login(member)
    response = client.get(xlsx_url(log))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = read_xlsx(response)
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == exports.HEADERS
    for got, want in zip(values[1:], expected_rows(log), strict=True):
        want = [
            datetime.datetime.combine(v, datetime.time())
            if isinstance(v, datetime.date)
            else as_text(v)
            if isinstance(v, str)
            else v
            for v in want
        ]
        assert [None if v == "" else v for v in want] == [None if v == "" else v for v in got]
    issued = sheet.cell(row=2, column=4)
    assert issued.is_date and issued.number_format == "d mmm yyyy"
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    # Each column's width in characters, as Excel shows it: the file holds it with Excel's padding (60.71).
    widths = {}
    for column in sheet.column_dimensions.values():
        widths |= dict.fromkeys(range(column.min, column.max + 1), int(column.width))
    assert widths == {index: width for index, (_, _, width) in enumerate(exports.COLUMNS, start=1)}


def test_cells_that_would_run_as_formulas_are_neutralised(client, log, member):
    client.force_login(member)
    row = read_csv(client.get(csv_url(log, "?q=click")))[1]
    assert row[1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[7] == "'@SUM(1)" and row[9] == "'-2+3"
    sheet = read_xlsx(client.get(xlsx_url(log, "?q=click")))
    assert sheet["B2"].data_type == "s" and sheet["B2"].value.startswith("'=")
    assert sheet["H2"].value == "'@SUM(1)" and sheet["J2"].value == "'-2+3"


def test_the_exports_honour_the_filters(client, log, member):
    client.force_login(member)
    rows = read_csv(client.get(csv_url(log, "?status=closed&status=in_progress&issued_from=2023-01-01")))
    assert [r[0] for r in rows[1:]] == ["64", "59"]
    feb = Meeting.objects.get(board=log)
    sheet = read_xlsx(client.get(xlsx_url(log, f"?meeting={feb.pk}&q=circulate")))
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [59]


def test_bad_filters_get_a_400_not_a_file(client, log, member):
    client.force_login(member)
    for url in (csv_url(log, "?issued_to=never"), xlsx_url(log, "?status=bogus")):
        response = client.get(url)
        assert response.status_code == 400 and "not valid" in response.content.decode()


def test_the_renderers_are_pure_and_handle_an_empty_log():
    assert read_csv(exports.action_log_csv([])) == [exports.HEADERS]
    sheet = read_xlsx(exports.action_log_xlsx([], title="South East [ALB]: actions / 2024"))
    assert sheet.title == "South East  ALB   actions   2024"[:31]
    assert sheet.max_row == 1


def test_the_renderers_write_none_as_empty_cells():
    row = ExportRow(
        number=1,
        text="+44 phone",
        responsible="all",
        issued_on=datetime.date(2024, 2, 1),
        due_date=None,
        meeting=None,
        status="Open",
        status_note="",
        last_update_on=None,
        last_update_note="",
    )
    assert read_csv(exports.action_log_csv([row]))[1] == [
        "1",
        "'+44 phone",
        "all",
        "2024-02-01",
        "",
        "",
        "Open",
        "",
        "",
        "",
    ]
    values = next(read_xlsx(exports.action_log_xlsx([row])).iter_rows(min_row=2, values_only=True))
    assert values[:5] == (1, "'+44 phone", "all", datetime.datetime(2024, 2, 1), None)


def _row(**values) -> ExportRow:
    blank = dict.fromkeys(ExportRow._fields, "") | {"number": 1, "issued_on": datetime.date(2024, 2, 1)}
    return ExportRow(**(blank | {"due_date": None, "meeting": None, "last_update_on": None} | values))


def test_text_that_looks_like_a_number_a_link_or_a_date_stays_text_in_excel():
    texts = {
        "text": "007",
        "responsible": "1e5",
        "status_note": "https://evil.example/x",
        "last_update_note": "2024-02-01",
    }
    sheet = read_xlsx(exports.action_log_xlsx([_row(**texts)]))
    cells = {column: sheet.cell(row=2, column=index) for index, (_, column, _) in enumerate(exports.COLUMNS, start=1)}
    for column, text in texts.items():
        assert cells[column].data_type == "s" and cells[column].value == text, column
    assert not any(cell.hyperlink for cell in cells.values())


def test_excel_escapes_in_the_text_come_back_as_typed_when_the_export_is_imported():
    # Excel reads "_x000D_" in a cell as a carriage return; the text written must say "_x000D_".
    text = "Send the figures\nnow, see _x000D_ and _x005F_"
    workbook = exports.action_log_xlsx([_row(text=text, status="Open", responsible="RE")])
    assert read_xlsx(workbook)["B2"].value.endswith(
        "see _x005F_x000D_ and _x005F_x005F_"
    )  # the file, as Excel reads it
    assert read_file("actions.xlsx", workbook).rows[0].text == text


def test_sheet_names_excel_would_refuse_are_made_acceptable():
    for title, name in [
        ("'Quoted board'", "Quoted board"),
        ("😀" * 20, "😀" * 15),  # 31 UTF-16 units at most: an emoji is two
        ("Board\nof two lines", "Board of two lines"),
        ("[]:*?/\\", "Action log"),
    ]:
        assert read_xlsx(exports.action_log_xlsx([], title=title)).title == name


@pytest.mark.parametrize("url", [csv_url, xlsx_url])
def test_both_exports_run_the_same_queries_for_10_or_1000_actions(
    client, board, member, url, django_assert_num_queries
):
    mary = person_of(member)
    make_many(board, 10, person=mary)
    client.force_login(member)
    client.get(url(board))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(board, "?q=bulk")).status_code == 200
    make_many(board, 990, start=11, person=mary)
    with django_assert_num_queries(len(few)):
        response = client.get(url(board, "?q=bulk"))
    if url is csv_url:
        assert len(read_csv(response)) == 1001
    else:
        assert read_xlsx(response).max_row == 1001


def _board_urls(board, number, export_pk=None):
    """Every board URL of the action log and its downloads, from the URLconfs so a new one cannot dodge the check."""
    for urls in (action_urls, document_urls):
        for pattern in urls.urlpatterns:
            route = str(pattern.pattern)
            if "<slug:slug>" not in route or "<id:pk>" in route:
                continue
            kwargs = {"slug": board.slug}
            if "<id:number>" in route:
                kwargs["number"] = number
            if "<id:export_pk>" in route:
                kwargs["export_pk"] = export_pk
            yield reverse(f"{urls.app_name}:{pattern.name}", kwargs=kwargs)


def test_a_person_on_another_board_gets_404_on_every_action_url(client, log, outsider, member):
    # A long log's PDF made for a member of the board: the outsider does not see it either.
    export = LogExport(board=log, requested_by=member, status=ExportStatus.DONE, finished_at=timezone.now())
    export.file.save("action-log.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    client.force_login(outsider)
    checked = 0
    for url in _board_urls(log, 59, export.pk):
        response = client.get(url)
        got = response.status_code
        if got == 302:  # a POST-only address sends a GET to its page, which is the outsider's 404
            got = client.get(response["Location"]).status_code
        posted = client.post(url, {"status_after": "closed", "note": "x", "version": 1, "text": "x"}).status_code
        # 405 only says which method a URL takes; the other method must then answer 404.
        assert {got, posted} <= {404, 405} and 404 in (got, posted), (url, got, posted)
        checked += 1
    assert checked >= 6
    assert Action.objects.get(board=log, number=59).status == Status.IN_PROGRESS


def test_a_member_reaches_every_read_only_action_url(client, log, member):
    client.force_login(member)
    for name, kwargs in [
        ("actions:action-list", {}),
        ("documents:action-export-csv", {}),
        ("documents:action-export-xlsx", {}),
        ("actions:action-detail", {"number": 59}),
    ]:
        url = reverse(name, kwargs={"slug": log.slug, **kwargs})
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405, "read-only pages take no POST"


def _streamed_peak(client, url) -> tuple[int, int]:
    """Python's peak allocation while one export is requested and read to the end; its size."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(url)
        assert response.status_code == 200 and response.streaming
        # Read, not kept. Reading to the end closes the response (the test client's wrapper); a
        # second close() would fire request_finished again and close the test's connection.
        size = sum(len(chunk) for chunk in response.streaming_content)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_the_exports_memory_does_not_grow_with_the_number_of_rows(client, board, member):
    """Both exports stream: the peak for 20,000 actions stays within a small factor of 1,000's.

    Built whole in memory, 20,000 rows peaked at about 15 times 1,000's.
    """
    mary = person_of(member)
    make_many(board, 1000, person=mary)
    client.force_login(member)
    small = {}
    for url in (csv_url, xlsx_url):
        _streamed_peak(client, url(board))  # templates, imports and caches loaded once
        small[url] = _streamed_peak(client, url(board))
    make_many(board, 19_000, start=1001, person=mary)
    for url in (csv_url, xlsx_url):
        (small_peak, small_size), (large_peak, large_size) = small[url], _streamed_peak(client, url(board))
        assert large_size > 10 * small_size  # the file did grow twentyfold ...
        assert large_peak < 2 * small_peak, (url.__name__, small_peak, large_peak)  # ... its memory did not
