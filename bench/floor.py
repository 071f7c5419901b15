"""The floors the pages are measured against.

`bare_actions` is the least a Django view can do to show the action log's first page: the same
50 rows from the same tables (actions, their meeting, their people), one minimal template, no
filters, no pagination, no context processors — behind the same middleware (session, login,
CSRF, CSP) as every page. `static_agenda_html` is a static HTML document with as many items and
action rows as the agenda, for timing WeasyPrint alone.
"""

import datetime
import re
from html import unescape

from django.http import HttpResponse
from django.template.loader import render_to_string

from actions.models import Action
from meetings.models import Board


def bare_actions(request, slug):
    # The board's id first: filtering through a join on its slug makes PostgreSQL sort every
    # action of the board (14 ms) where the (board, number) index gives the first 50 at once.
    board_id = Board.objects.values_list("pk", flat=True).get(slug=slug)
    rows = list(
        Action.objects.filter(board_id=board_id, removed_at__isnull=True)
        .select_related("meeting")
        .prefetch_related("responsibilities__person")
        .order_by("-number")[:50]
    )
    return HttpResponse(render_to_string("bench/floor.html", {"rows": rows}))


STATIC_CSS = """
@page { size: A4; margin: 20mm 18mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.35; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 14pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
thead { display: table-header-group; } tr { break-inside: avoid; }
"""


FILLER = (
    "The board asked for a short written update on progress, the figures from each local authority "
    "and any risks to the timetable before the next meeting. "
) * 20


def visible_text(html: str) -> int:
    """How many characters of text a document shows: tags, styles and runs of white space left out."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return len(re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip())


def static_agenda_html(*, items: int, actions: int, upcoming: int, invitees: int, target_text: int = 0) -> str:
    """A fixed document of the agenda's size: a heading block, items, the open action log, dates.

    With `target_text` (the visible text of the app's agenda for the same meeting), each action's
    text is lengthened evenly so the document shows as much text as the agenda does.
    """
    row_text = "Report back on the kinship care pathway (Adopt Thames Valley)."
    if target_text:
        rest = visible_text(_agenda(items, actions, upcoming, invitees, ""))
        row_text = FILLER[: max(20, (target_text - rest) // max(actions, 1) - 1)].strip()
    return _agenda(items, actions, upcoming, invitees, row_text)


def _cols(*percent: int) -> str:
    return "<colgroup>" + "".join(f"<col style='width: {p}%'>" for p in percent) + "</colgroup>"


def _agenda(items: int, actions: int, upcoming: int, invitees: int, row_text: str) -> str:
    day = datetime.date(2026, 1, 15)
    out = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Agenda</title><style>{STATIC_CSS}</style></head><body>",
        "<h1>South East Region Adoption Leadership Board</h1>",
        "<p>Agenda for the meeting on 15 January 2026, 14:00–16:00, County Hall, Room 2.</p>",
        "<p><strong>Chair:</strong> Lorna Hunt (PACT). <strong>Support:</strong> Bench Secretary.</p>",
        "<h2>Invited</h2><p>" + ", ".join(f"Member {i} (Organisation {i})" for i in range(invitees)) + "</p>",
        "<h2>Items</h2><table>"
        + _cols(6, 8, 62, 10, 14)
        + "<thead><tr><th>No.</th><th>Time</th><th>Item</th><th>Lead</th><th>Purpose</th></tr></thead><tbody>",
    ]
    for i in range(1, items + 1):
        out.append(
            f"<tr><td>{i}</td><td>14:{i * 4:02d}</td><td>Item {i}: post order support and the regional data dashboard"
            f"<br>Papers: Annex {chr(64 + i)}</td><td>LH</td><td>Discussion</td></tr>"
        )
    out.append(
        "</tbody></table><h2>Open actions</h2><table>"
        + _cols(8, 56, 12, 12, 12)
        + "<thead><tr><th>No.</th><th>Action</th><th>Responsible</th>"
        "<th>Issued</th><th>Status</th></tr></thead><tbody>"
    )
    for n in range(actions, 0, -1):
        out.append(f"<tr><td>{n}</td><td>{row_text}</td><td>LH/MH</td><td>{day:%b %Y}</td><td>Open</td></tr>")
    out.append("</tbody></table><h2>Next meetings</h2><ul>")
    out += [f"<li>{day + datetime.timedelta(weeks=4 * k):%-d %B %Y}, 14:00</li>" for k in range(1, upcoming + 1)]
    out.append("</ul></body></html>")
    return "".join(out)


def bare_review(request, slug, pk):
    """The least a view can do to show the review's form: the board's open actions (the same 300
    rows) with their people, each with a status select and a note box, in one minimal template."""
    from actions.models import OPEN_STATUSES, Status

    board_id = Board.objects.values_list("pk", flat=True).get(slug=slug)
    rows = list(
        Action.objects.filter(board_id=board_id, removed_at__isnull=True, status__in=OPEN_STATUSES)
        .prefetch_related("responsibilities__person")
        .order_by("-number")
    )
    return HttpResponse(
        render_to_string("bench/floor_review.html", {"rows": rows, "statuses": Status.choices}, request=request)
    )
