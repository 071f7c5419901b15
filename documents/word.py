"""The minutes as a Word file: real headings and a real table, so the secretary can go on editing it."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone

from adoptboard.text import printable

from .data import LOG_HEADERS, MeetingPack, fmt_date, log_cut_note

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fmt_time(t: datetime.time) -> str:
    return f"{t:%H:%M}"


def _word_field(run, instruction: str) -> None:
    """Put a field (PAGE, NUMPAGES) in a run; Word and LibreOffice fill it in as they lay out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.extend([begin, text, end])


def _printable_runs() -> None:
    """Every run of text python-docx writes goes through CT_R.add_t, which refuses control
    characters (a 500): register a run element that takes them out first. One place for the whole
    document, so no paragraph, heading or table cell can forget it."""
    from docx.oxml.parser import register_element_cls
    from docx.oxml.text.run import CT_R

    if getattr(CT_R, "printable", False):
        return

    class PrintableRun(CT_R):
        printable = True

        def add_t(self, text: str):
            return super().add_t(printable(text))

    register_element_cls("w:r", PrintableRun)


def _declarations(doc, pack: MeetingPack) -> None:
    for d in pack.declarations:
        if d.none_declared:
            what = "none declared"
        else:
            what = (f"item {d.item.position}, {d.item.title}: " if d.item_id else "") + d.interest
        doc.add_paragraph(f"{d.person} ({d.person.initials}): {what}", style="List Bullet")
    if not pack.declarations:
        doc.add_paragraph("No declarations recorded.")


def minutes_docx(pack: MeetingPack) -> bytes:
    """The minutes in Word, section for section what the PDF (templates/documents/minutes.html) prints."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    _printable_runs()
    meeting, board = pack.meeting, pack.board
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header.paragraphs[0].text = board.name
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _word_field(footer.add_run(), "PAGE")
    footer.add_run(" of ")
    _word_field(footer.add_run(), "NUMPAGES")
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10.5)
    # The file's properties name the board and the meeting (python-docx's template says "python-docx").
    props = doc.core_properties
    props.title = printable(f"{pack.title} — {board.name}")
    props.subject = f"Minutes of the meeting of {fmt_date(meeting.date)}"
    props.author = props.last_modified_by = printable(board.name)
    props.comments = ""
    props.keywords = "minutes"
    props.category = "Draft minutes" if not meeting.is_locked else "Approved minutes"
    stamp = meeting.approved_at or datetime.datetime.combine(pack.generated_on, datetime.time(), tzinfo=datetime.UTC)
    props.created = props.modified = stamp.astimezone(datetime.UTC).replace(tzinfo=None)
    props.revision = 1

    doc.add_heading(board.name, level=0)
    doc.add_heading(pack.title, level=1)
    when = f"{meeting.date:%A} {fmt_date(meeting.date)}, {_fmt_time(meeting.start_time)}–{_fmt_time(meeting.end_time)}"
    doc.add_paragraph(", ".join(x for x in (when, meeting.place, meeting.online_link) if x))
    doc.add_paragraph(f"Issued {fmt_date(pack.generated_on)}")
    if meeting.is_locked:
        approved = f" on {fmt_date(timezone.localdate(meeting.approved_at))}" if meeting.approved_at else ""
        doc.add_paragraph(f"Approved{approved}.")
    else:
        doc.add_paragraph("Draft: these minutes are to be approved at the next meeting.")

    doc.add_heading("Present", level=2)
    for a in pack.present:
        doc.add_paragraph(a.line, style="List Bullet")
    if not pack.present:
        doc.add_paragraph("Not recorded.")
    if pack.guests:
        doc.add_heading("Guests", level=2)
        for a in pack.guests:
            doc.add_paragraph(a.line, style="List Bullet")
    doc.add_heading("Apologies", level=2)
    for a in pack.apologies:
        doc.add_paragraph(a.line, style="List Bullet")
    if not pack.apologies:
        doc.add_paragraph("None.")
    if pack.declarations and not pack.declarations_under_item:
        doc.add_heading("Declarations of interest", level=2)
        _declarations(doc, pack)

    for s in pack.items:
        doc.add_heading(f"Item {s.number}: {s.item.title}", level=2)
        meta = doc.add_paragraph()
        meta.add_run((f"Lead: {s.lead} · " if s.lead else "") + s.purpose).italic = True
        for para in s.description:
            doc.add_paragraph(para)
        for para in s.notes:
            doc.add_paragraph(para)
        if not s.notes:
            doc.add_paragraph("No notes recorded.")
        if s.item.is_declarations:
            _declarations(doc, pack)
        if s.decisions:
            doc.add_paragraph().add_run("Decision:" if len(s.decisions) == 1 else "Decisions:").bold = True
            for decision in s.decisions:
                doc.add_paragraph(decision.text, style="List Bullet")
        for action in s.actions:
            p = doc.add_paragraph()
            p.add_run(f"Action {action.number}: ").bold = True
            p.add_run(f"{action.text} ({action.responsible_label()})")

    doc.add_heading("Future agenda items", level=2)
    for t in pack.topics:
        by = f" (proposed by {t.proposed_by.initials})" if t.proposed_by else ""
        doc.add_paragraph(t.title + by, style="List Bullet")
    if not pack.topics:
        doc.add_paragraph("None proposed.")
    doc.add_heading("Upcoming meetings", level=2)
    for m in pack.upcoming:
        line = f"{m.date:%A} {fmt_date(m.date)}: {_fmt_time(m.start_time)}–{_fmt_time(m.end_time)}"
        doc.add_paragraph(line + f", {m.place or 'to be confirmed'}", style="List Bullet")
    if not pack.upcoming:
        doc.add_paragraph("No further meetings are scheduled yet.")

    doc.add_heading("Action log", level=2)
    if pack.log_updated_on:
        doc.add_paragraph(f"This action log was updated on {fmt_date(pack.log_updated_on)}.")
    if pack.log_scope_note:
        doc.add_paragraph(pack.log_scope_note)
    if pack.log_total:
        doc.add_paragraph(log_cut_note(pack))
    table = doc.add_table(rows=1, cols=len(LOG_HEADERS))
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, label in zip(header.cells, LOG_HEADERS):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    # Word repeats a header row on every page only when it is marked so.
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for action in pack.action_log:
        cells = table.add_row().cells
        cells[0].text = str(action.number)
        cells[1].text = action.text
        cells[2].text = action.responsible_label()
        cells[3].text = f"{action.issued_on:%b %Y}"
        cells[4].text = action.get_status_display()
        if action.status_note:
            cells[4].add_paragraph(action.status_note)
    # Word reads each cell's width, LibreOffice the table's grid: set both.
    table.autofit = False
    widths = (Cm(1.3), Cm(8.2), Cm(2.7), Cm(2.6), Cm(2.2))
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
