"""The minutes as a Word file: real headings and a real table, so the secretary can go on editing it."""

from __future__ import annotations

import datetime
import io

from meetings.models import Attendance

from .data import MeetingPack, log_cut_note

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fmt_date(d: datetime.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _fmt_time(t: datetime.time) -> str:
    return f"{t:%H:%M}"


def _person_line(a: Attendance) -> str:
    text = a.person.label
    if a.deputising_for_id:
        text += f", attending for {a.deputising_for}"
    if a.note:
        text += f" ({a.note})"
    return text


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
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    meeting = pack.meeting
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header.paragraphs[0].text = pack.board.name
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _word_field(footer.add_run(), "PAGE")
    footer.add_run(" of ")
    _word_field(footer.add_run(), "NUMPAGES")
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = f"Minutes: {pack.board.name}, {_fmt_date(meeting.date)}"

    doc.add_heading(pack.board.name, level=0)
    doc.add_heading(f"Minutes: {_fmt_date(meeting.date)}", level=1)
    when = f"{_fmt_time(meeting.start_time)}–{_fmt_time(meeting.end_time)}"
    where = ", ".join(x for x in (meeting.place, meeting.online_link) if x)
    doc.add_paragraph(f"{when}{', ' + where if where else ''}")

    doc.add_heading("Present", level=2)
    for a in pack.present:
        doc.add_paragraph(_person_line(a), style="List Bullet")
    if not pack.present:
        doc.add_paragraph("Not recorded.")
    if pack.guests:
        doc.add_heading("Guests", level=2)
        for a in pack.guests:
            doc.add_paragraph(_person_line(a), style="List Bullet")
    doc.add_heading("Apologies", level=2)
    if pack.apologies:
        for a in pack.apologies:
            doc.add_paragraph(_person_line(a), style="List Bullet")
    else:
        doc.add_paragraph("None.")
    if pack.declarations and not pack.declarations_under_item:
        doc.add_heading("Declarations of interest", level=2)
        _declarations(doc, pack)

    for s in pack.items:
        item = s.item
        doc.add_heading(f"Item {s.number}: {item.title}", level=2)
        for para in (item.notes or "").split("\n"):
            if para.strip():
                doc.add_paragraph(para.strip())
        if item.is_declarations:
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
    if pack.topics:
        for t in pack.topics:
            doc.add_paragraph(t.title, style="List Bullet")
    else:
        doc.add_paragraph("None proposed.")
    doc.add_heading("Upcoming meetings", level=2)
    if pack.upcoming:
        for m in pack.upcoming:
            line = f"{_fmt_date(m.date)}: {_fmt_time(m.start_time)}–{_fmt_time(m.end_time)}"
            doc.add_paragraph(line + (f", {m.place}" if m.place else ""), style="List Bullet")
    else:
        doc.add_paragraph("None scheduled yet.")

    doc.add_heading("Action log", level=1)
    if pack.log_updated_on:
        doc.add_paragraph(f"This action log was updated on {_fmt_date(pack.log_updated_on)}.")
    if pack.log_total:
        doc.add_paragraph(log_cut_note(pack))
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, label in zip(header.cells, ("Action", "Text", "Responsible", "Date issued", "Status")):
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
        status = action.get_status_display()
        cells[4].text = f"{status} ({action.status_note})" if action.status_note else status
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(1.5), Cm(9.0), Cm(2.4), Cm(2.1), Cm(2.0))):
            cell.width = width

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
