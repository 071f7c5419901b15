"""The board pack: one PDF of cover, contents, agenda, last minutes, open actions and the papers.

Read back with pypdf, as a reader's PDF viewer would: its bookmarks, its page count against the
parts it is made of, the page number stamped on every page, and what the contents say of each paper.
"""

import datetime
import io
import re

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from actions.services import action_raise
from documents import data, pack
from documents import pdf as exports
from meetings.models import AgendaItem, Meeting, MeetingStatus, Paper, Person

# --- helpers ---------------------------------------------------------------------------------


def make_pdf(label: str, pages: int, *, size=(595, 842), rotate: int = 0, crop=None, password: str = "") -> bytes:
    """A real PDF whose page n says "<label> page n" (pypdf only: fast, and exact to read back)."""
    writer = pypdf.PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for n in range(1, pages + 1):
        page = writer.add_blank_page(width=size[0], height=size[1])
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = ContentStream(None, None)
        stream.set_data(f"BT /F1 14 Tf 72 400 Td ({label} page {n}) Tj ET".encode())
        page.replace_contents(stream)
        if rotate:
            page.rotate(rotate)
        if crop:
            page.cropbox = pypdf.generic.RectangleObject(crop)
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_paper(item, title: str, filename: str, content: bytes) -> Paper:
    return Paper.objects.create(item=item, title=title, file=ContentFile(content, name=filename))


def page_count(content: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def outline(reader) -> list:
    """The bookmarks as (title, page number from 1, children)."""

    def walk(entries):
        out = []
        for i, entry in enumerate(entries):
            if isinstance(entry, list):
                continue
            children = entries[i + 1] if i + 1 < len(entries) and isinstance(entries[i + 1], list) else []
            out.append((entry.title, reader.get_destination_page_number(entry) + 1, walk(children)))
        return out

    return walk(reader.outline)


def pack_url(meeting) -> str:
    return reverse("documents:meeting-pack-pdf", kwargs={"slug": meeting.board.slug, "pk": meeting.pk})


def get_pack(client, meeting) -> bytes:
    response = client.get(pack_url(meeting))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)


def stored_packs() -> list[str]:
    try:
        dirs, _ = default_storage.listdir("packs/test-alb")
    except FileNotFoundError:
        return []
    return [name for d in dirs for name in default_storage.listdir(f"packs/test-alb/{d}")[1]]


# --- the meeting ---------------------------------------------------------------------------------


@pytest.fixture
def meeting(board, secretary, chair, member):
    """A meeting after an approved one: three items, PDF papers (one cropped, one landscape, one
    rotated), a Word paper, an Excel one, a damaged PDF and one locked by a password."""
    earlier = Meeting.objects.create(
        board=board, date=datetime.date(2024, 4, 17), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    AgendaItem.objects.create(meeting=earlier, position=1, title="Kinship care", notes="The board heard from KC.")
    jo = Person.objects.create(full_name="Jo Okafor", initials="JO")
    action_raise(board=board, text="Benchmark kinship allowances across the region", responsible=[jo], meeting=earlier)
    Meeting.objects.filter(pk=earlier.pk).update(status=MeetingStatus.APPROVED)

    m = Meeting.objects.create(
        board=board,
        date=datetime.date(2024, 7, 17),
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        place="County Hall, Maidstone",
    )
    welcome = AgendaItem.objects.create(meeting=m, position=1, title="Welcome and apologies")
    report = AgendaItem.objects.create(meeting=m, position=2, title="Adoption breakdown analysis")
    sufficiency = AgendaItem.objects.create(meeting=m, position=3, title="Regional adopter sufficiency")
    # Papers print in title order within their item.
    add_paper(report, "Annex A: disruption data", "annex-a.pdf", make_pdf("Annex A", 3, crop=(30, 60, 565, 800)))
    add_paper(report, "Annex B: tables", "annex-b.pdf", make_pdf("Annex B", 2, size=(842, 595)))
    add_paper(report, "Annex C: budget", "budget.xlsx", b"PK\x03\x04 not really a workbook")
    add_paper(sufficiency, "Damaged report", "damaged.pdf", b"%PDF-1.4\n1 0 obj <<\n%%EOF\n")
    add_paper(sufficiency, "Locked report", "locked.pdf", make_pdf("Locked", 2, password="secret"))
    add_paper(sufficiency, "Sufficiency report", "sufficiency.pdf", make_pdf("Sufficiency", 4, rotate=90))
    add_paper(sufficiency, "Survey (Word)", "survey.docx", b"PK\x03\x04 not really a document")
    m.earlier, m.welcome, m.report, m.sufficiency = earlier, welcome, report, sufficiency
    return m


# --- what the pack holds ---------------------------------------------------------------------------


def test_it_binds_every_part_with_bookmarks_and_a_page_count_that_adds_up(client, member, meeting):
    client.force_login(member)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, meeting)))

    # The parts, rendered on their own by the app's documents.
    meeting.board = meeting.earlier.board = meeting.board
    agenda = page_count(exports.agenda_pdf(data.meeting_pack(meeting, with_log=False)))
    minutes = page_count(exports.minutes_pdf(data.meeting_pack(meeting.earlier)))
    log = page_count(pack.open_log(meeting.board).render())
    papers = 3 + 2 + 4  # Annex A, Annex B, Sufficiency: the damaged and the locked ones are left out
    front = 2  # cover, and a contents page
    assert len(reader.pages) == front + agenda + minutes + log + papers

    start = {"agenda": 3, "minutes": 3 + agenda, "log": 3 + agenda + minutes}
    first_paper = start["log"] + log
    assert outline(reader) == [
        ("Cover", 1, []),
        ("Contents", 2, []),
        ("Agenda", start["agenda"], []),
        ("Minutes of the meeting on 17 April 2024", start["minutes"], []),
        ("Open actions", start["log"], []),
        (
            "Items and papers",
            start["agenda"],
            [
                # An item without papers takes the reader to the agenda.
                ("Item 1: Welcome and apologies", start["agenda"], []),
                (
                    "Item 2: Adoption breakdown analysis",
                    first_paper,
                    [("Annex A: disruption data", first_paper, []), ("Annex B: tables", first_paper + 3, [])],
                ),
                (
                    "Item 3: Regional adopter sufficiency",
                    first_paper + 5,
                    [("Sufficiency report", first_paper + 5, [])],
                ),
            ],
        ),
    ]
    # Each bookmark lands on its part: the agenda's title, the minutes', the papers' own pages.
    text = [page.extract_text() for page in reader.pages]
    assert "Agenda" in text[start["agenda"] - 1] and "Adoption breakdown analysis" in text[start["agenda"] - 1]
    assert "Minutes" in text[start["minutes"] - 1] and "Kinship care" in flat(text[start["minutes"] - 1])
    assert "Benchmark kinship allowances" in flat(text[start["log"] - 1])
    for offset, label in enumerate(["Annex A page 1", "Annex A page 2", "Annex A page 3", "Annex B page 1"]):
        assert label in text[first_paper - 1 + offset]
    assert "Sufficiency page 4" in text[first_paper + 8 - 1]


def test_it_stamps_one_continuous_page_number_on_every_page(client, member, meeting):
    client.force_login(member)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, meeting)))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Pack page {number} of {total}" in text
        # The app's own documents drop their "Page 2 of 5": one numbering only.
        assert not re.search(r"(?<!Pack )Page \d+ of \d+", text)
    # The stamp sits at the foot of each page as the reader sees it: landscape and rotated papers too.
    for number, page in enumerate(reader.pages, start=1):
        found = []

        def visit(text, cm, tm, font, size, found=found, number=number):
            if text.startswith(f"Pack page {number} "):
                found.append((cm[4] + tm[4] * cm[0] + tm[5] * cm[2], cm[5] + tm[4] * cm[1] + tm[5] * cm[3]))

        page.extract_text(visitor_text=visit)
        (x, y) = found[0]
        box = page.cropbox
        assert 0 < y - float(box.bottom) < 30, (number, x, y)
        assert 0.3 < (x - float(box.left)) / float(box.width) < 0.6, (number, x, box)
        assert page.get("/Rotate", 0) % 360 == 0


def test_it_lists_every_paper_in_the_contents_with_its_page_or_why_it_is_not_there(client, member, meeting):
    client.force_login(member)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, meeting)))
    cover, contents = flat(reader.pages[0].extract_text()), flat(reader.pages[1].extract_text())
    total = len(reader.pages)
    assert "Board pack" in cover and "17 July 2024" in cover and f"in {total} pages" in cover
    first_paper = next(e for e in outline(reader) if e[0] == "Items and papers")[2][1][1]
    # Papers in agenda order, each with the page it starts on.
    assert re.search(rf"Annex A: disruption data \(3 pages\) {first_paper}\b", contents)
    assert re.search(rf"Annex B: tables \(2 pages\) {first_paper + 3}\b", contents)
    assert re.search(rf"Sufficiency report \(4 pages\) {first_paper + 5}\b", contents)
    assert "Damaged report Could not be included: the file is damaged or is not a PDF." in contents
    assert "Locked report Could not be included: it is protected by a password." in contents
    assert "Annex C: budget Excel file, not included in the pack: download it" in contents
    assert "Survey (Word) Word file, not included in the pack: download it" in contents
    assert contents.index("Annex A") < contents.index("Annex C") < contents.index("Damaged") < contents.index("Survey")
    # The Word and Excel papers link to their access-checked download.
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[1].get("/Annots", [])]
    papers = {p.title: p for p in Paper.objects.filter(item__meeting=meeting)}
    for title in ("Annex C: budget", "Survey (Word)", "Damaged report", "Locked report"):
        assert "http://testserver" + papers[title].get_absolute_url() in links


def test_it_leaves_out_last_minutes_members_may_not_read_yet(client, member, meeting):
    Meeting.objects.filter(pk=meeting.earlier.pk).update(status=MeetingStatus.HELD)  # drafts, not circulated
    client.force_login(member)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, meeting)))
    assert [entry[0] for entry in outline(reader)][:5] == [
        "Cover",
        "Contents",
        "Agenda",
        "Open actions",
        "Items and papers",
    ]
    assert "Minutes of the meeting on 17 April 2024 (Not circulated yet.)" in flat(reader.pages[1].extract_text())
    assert not any("The board heard from KC" in page.extract_text() for page in reader.pages)


def test_it_builds_a_pack_for_an_empty_first_meeting(client, secretary, board):
    m = Meeting.objects.create(
        board=board, date=datetime.date(2024, 7, 17), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    client.force_login(secretary)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, m)))
    assert [entry[0] for entry in outline(reader)] == ["Cover", "Contents", "Agenda", "Open actions"]
    assert "This is the board's first meeting" in reader.pages[1].extract_text()


# --- kept until something in it changes -----------------------------------------------------------


def test_it_keeps_the_built_pack_and_builds_again_after_a_change(client, member, secretary, meeting, monkeypatch):
    builds = []
    real_build = pack.build
    monkeypatch.setattr(pack, "build", lambda sources, out: (builds.append(1), real_build(sources, out)))
    client.force_login(member)
    first = get_pack(client, meeting)
    assert len(builds) == 1 and len(stored_packs()) == 1
    # Anyone else on the board gets the same stored file, built once.
    client.force_login(secretary)
    assert get_pack(client, meeting) == first
    assert len(builds) == 1

    # A change in anything the pack holds: a renamed item, a new paper, an action raised.
    AgendaItem.objects.filter(pk=meeting.welcome.pk).update(title="Welcome, introductions and apologies")
    second = get_pack(client, meeting)
    assert len(builds) == 2
    assert "Welcome, introductions and apologies" in pypdf.PdfReader(io.BytesIO(second)).pages[1].extract_text()
    add_paper(meeting.welcome, "Terms of reference", "tor.pdf", make_pdf("Terms", 1))
    third = get_pack(client, meeting)
    assert len(builds) == 3 and page_count(third) == page_count(second) + 1
    action_raise(board=meeting.board, text="Share the PIF findings", whole_board=True)
    get_pack(client, meeting)
    get_pack(client, meeting)
    assert len(builds) == 4
    # Only the newest pack is kept.
    assert len(stored_packs()) == 1


def test_outsiders_get_nothing(client, outsider, meeting):
    client.force_login(outsider)
    assert client.get(pack_url(meeting)).status_code == 404
    assert stored_packs() == []


def test_the_meeting_page_offers_the_pack(client, member, meeting):
    client.force_login(member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'href="{pack_url(meeting)}"' in page


def test_it_includes_a_pdf_locked_only_against_editing_and_leaves_out_what_it_cannot_copy_whole(
    client, member, board, monkeypatch
):
    m = Meeting.objects.create(
        board=board, date=datetime.date(2024, 7, 17), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    item = AgendaItem.objects.create(meeting=m, position=1, title="Reports")
    restricted = io.BytesIO()
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf("Restricted", 2)))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="AES-128")
    writer.write(restricted)
    add_paper(item, "A restricted report", "restricted.pdf", restricted.getvalue())
    add_paper(item, "B flaky report", "flaky.pdf", make_pdf("Flaky", 3))
    add_paper(item, "C long report", "long.pdf", make_pdf("Long", 4))
    monkeypatch.setattr(pack, "PAPER_MAX_PAGES", 3)
    # A paper whose second page fails to copy: the first, already in, leaves again.
    real_add_page = pypdf.PdfWriter.add_page

    def add_page(self, page, *args, **kwargs):
        if "Flaky page 2" in page.extract_text():
            raise pypdf.errors.PdfReadError("broken page")
        return real_add_page(self, page, *args, **kwargs)

    monkeypatch.setattr(pypdf.PdfWriter, "add_page", add_page)
    client.force_login(member)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, m)))
    contents = flat(reader.pages[1].extract_text())
    assert re.search(r"A restricted report \(2 pages\) \d+", contents)
    assert "B flaky report Could not be included: the file is damaged or is not a PDF." in contents
    assert "C long report Could not be included: it has more than 3 pages." in contents
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Restricted page 2" in text and "Flaky page 1" not in text and "Long page 1" not in text


def test_its_queries_do_not_grow_with_items_and_papers(client, member, board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def meeting_with(items: int, papers_each: int, day: int) -> Meeting:
        m = Meeting.objects.create(
            board=board, date=datetime.date(2024, 7, day), start_time=datetime.time(14), end_time=datetime.time(16)
        )
        for n in range(1, items + 1):
            item = AgendaItem.objects.create(meeting=m, position=n, title=f"Item {n}")
            for k in range(papers_each):
                add_paper(item, f"Paper {n}.{k}", f"p{n}-{k}.pdf", make_pdf(f"P{n}.{k}", 1))
        return m

    meeting_with(0, 0, 1)  # each meeting below follows one whose minutes are not circulated
    small, large = meeting_with(1, 1, 10), meeting_with(6, 3, 17)
    client.force_login(member)
    counts = []
    for m in (small, large):
        with CaptureQueriesContext(connection) as built:
            get_pack(client, m)
        with CaptureQueriesContext(connection) as stored:
            get_pack(client, m)
        counts.append((len(built), len(stored)))
    assert counts[0] == counts[1]


def test_it_binds_the_approved_minutes_as_frozen_at_their_approval(client, member, secretary, board):
    from meetings.services import minutes_approve

    earlier = Meeting.objects.create(
        board=board, date=datetime.date(2024, 4, 17), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    item = AgendaItem.objects.create(
        meeting=earlier, position=1, title="Kinship care", notes="The board heard from KC."
    )
    minutes_approve(meeting=earlier, by=secretary)
    frozen = earlier.minutes_versions.get()
    # Whatever changes afterwards (here behind the app's back), the record stays as approved.
    AgendaItem.objects.filter(pk=item.pk).update(notes="Rewritten after the approval.")
    m = Meeting.objects.create(
        board=board, date=datetime.date(2024, 7, 17), start_time=datetime.time(14), end_time=datetime.time(16)
    )
    client.force_login(member)
    reader = pypdf.PdfReader(io.BytesIO(get_pack(client, m)))
    entries = {title: page for title, page, _ in outline(reader)}
    start, end = entries["Minutes of the meeting on 17 April 2024 (approved)"], entries["Open actions"]
    with frozen.pdf.open("rb") as handle:
        assert end - start == page_count(handle.read())
    text = flat(" ".join(reader.pages[n - 1].extract_text() for n in range(start, end)))
    assert "The board heard from KC." in text and "Rewritten" not in text
    assert f"Pack page {start} of {len(reader.pages)}" in text
