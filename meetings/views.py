"""The board's pages and the secretary's meeting cycle: schedule, attendance, agenda, papers, minutes, approval.

Every view gets its board through meetings.permissions.board_for_user; writes are POST-only, call
one service and end in a redirect with a message. A service's ValidationError re-renders the page
with the errors (400); a locked meeting is refused with a message and a redirect to the meeting.
These pages show the actions raised at each item, so they read the action log's selectors and
forms (the web layer sits above both apps; meetings' domain never imports actions).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from actions import selectors as action_selectors
from actions.forms import RaiseActionForm, responsible_options
from adoptboard.concurrency import StaleEdit
from adoptboard.downloads import download
from adoptboard.fields import parse_id
from adoptboard.http import post_only

from . import forms, selectors, services
from .models import AgendaItem, Meeting, Paper, Topic
from .permissions import board_for_user


@require_safe
def dashboard(request):
    return render(
        request,
        "meetings/dashboard.html",
        {
            "boards": action_selectors.boards_with_open_actions(request.user),
            "upcoming": selectors.upcoming_meetings(request.user),
            # The same rows as /my/actions/ and the navigation's count.
            "my_actions": action_selectors.my_open_actions(request.user)[:10],
        },
    )


@require_safe
def board_detail(request, slug):
    board = board_for_user(request.user, slug)
    meetings = board.meetings.all()
    return render(
        request,
        "meetings/board_detail.html",
        {
            "board": board,
            "upcoming": meetings.upcoming(),
            "past": meetings.past()[:20],
            "members": selectors.board_members(board),
            "open_actions": action_selectors.open_action_count(board),
            "topics": board.topics.filter(scheduled_item__isnull=True).select_related("proposed_by"),
        },
    )


# --- The meeting cycle ---------------------------------------------------------------------------


def _meeting(board, pk):
    return get_object_or_404(Meeting.objects.select_related("board"), board=board, pk=pk)


def _item(board, pk, item_pk):
    return get_object_or_404(
        AgendaItem.objects.live().select_related("meeting__board"), meeting__board=board, meeting_id=pk, pk=item_pk
    )


def _refuse_if_locked(request, meeting):
    """A redirect with the refusal when the meeting is locked, else None."""
    try:
        services.ensure_meeting_editable(meeting)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(meeting)
    return None


def _people(board):
    """Everyone the board knows (members, attendees, people named on its actions), evaluated once
    for every select on a page."""
    qs = action_selectors.people_known_to(board)
    return qs, list(qs)


def meeting_page(request, slug, pk, *, status=200, bound=None):
    """The meeting page; `bound` holds forms that came back with errors, keyed as the page names them."""
    board = board_for_user(request.user, slug)
    meeting = selectors.meeting_for_page(
        board, pk, item_prefetches=[action_selectors.raised_actions_prefetch()], record=True
    )
    bound = bound or {}
    items = meeting.item_list
    services.item_start_times(meeting, items)
    context = {
        "board": board,
        "meeting": meeting,
        "items": items,
        "show_minutes": board.access.may_see_minutes(meeting),
        "reopenings": selectors.meeting_reopenings(meeting) if meeting.was_reopened else (),
        "minutes_versions": selectors.minutes_versions(meeting) if meeting.has_minutes_versions else (),
        "next_meeting": meeting.next_meeting,
    }
    if context["show_minutes"] and any(item.is_declarations for item in items):
        context["declarations"] = selectors.meeting_declarations(meeting)
    if board.access.can_edit and not meeting.is_locked:
        # "Action:" lines in the minutes, still to be raised or dropped (actions.lines).
        offers = action_selectors.action_line_offers(meeting, items)
        for item in items:
            item.line_offers = offers.get(item.pk, [])
        people_qs, people = _people(board)
        context["attendance_form"] = bound.get("attendance") or forms.AttendanceForm(
            attendances=meeting.attendance_list, people=people
        )
        context["attendance_error"] = bound.get("attendance_error", "")
        context["guest_form"] = bound.get("guest") or forms.GuestForm(people_qs=people_qs, people=people)
        # An item's unbound minutes and raise-action fields are written out from the forms' fields
        # (meetings/_items.html), not one form each: building 24 forms was a tenth of the page.
        # Only a form that came back with errors is kept, to be drawn by crispy.
        context.update(
            editing=True,
            minutes_fields=forms.MinutesForm.base_fields,
            action_fields=RaiseActionForm.base_fields,
            responsible_options=responsible_options(people),
        )
        for item in items:
            item.minutes_form = bound.get(("minutes", item.pk))
            item.minutes_state = bound.get(("minutes-state", item.pk)) or MinutesState(version=item.version)
            item.action_form = bound.get(("action", item.pk))
    if board.access.may_reopen and meeting.is_locked:
        context["reopen_form"] = bound.get("reopen") or forms.ReopenForm()
    return render(request, "meetings/meeting_detail.html", context, status=status)


def meeting_schedule(request, slug):
    """Schedule a meeting; with ?after=<pk>, propose the one after that meeting (usual time and place)."""
    board = board_for_user(request.user, slug, edit=True)
    if request.method == "POST":
        form = forms.MeetingForm(request.POST)
        if form.is_valid():
            try:
                data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                meeting = services.meeting_schedule(board=board, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"Meeting scheduled for {meeting.date:%-d %B %Y}, with the standing items and the members invited.",
                )
                return redirect(meeting)
        return render(request, "meetings/meeting_form.html", {"board": board, "form": form}, status=400)
    initial = {
        "start_time": board.default_start_time,
        "end_time": board.default_end_time,
        "place": board.default_place,
        "online_link": board.default_online_link,
    }
    after = None
    if parse_id(request.GET.get("after", "")):
        after = _meeting(board, parse_id(request.GET["after"]))
        initial = services.next_meeting_proposal(after)
    form = forms.MeetingForm(initial=initial)
    return render(request, "meetings/meeting_form.html", {"board": board, "form": form, "after": after})


def meeting_edit(request, slug, pk):
    """Change a meeting's date, time or place; refused once its minutes are approved."""
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting(board, pk)
    if refused := _refuse_if_locked(request, meeting):
        return refused
    status = 200
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, instance=meeting)
        status = 400
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.MEETING_FIELDS}
            try:
                services.meeting_update(meeting=meeting, expected_version=form.cleaned_data["version"] or 0, **values)
            except StaleEdit as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Meeting details saved.")
                return redirect(meeting)
    else:
        form = forms.MeetingForm(instance=meeting)
    return render(
        request, "meetings/meeting_form.html", {"board": board, "form": form, "meeting": meeting}, status=status
    )


@post_only("meetings:meeting-detail", "slug", "pk", anchor="attendance")
def attendance_save(request, slug, pk):
    board = board_for_user(request.user, slug, edit=True)
    meeting = selectors.meeting_for_page(board, pk, item_prefetches=[action_selectors.raised_actions_prefetch()])
    if refused := _refuse_if_locked(request, meeting):
        return refused
    _, people = _people(board)
    form = forms.AttendanceForm(request.POST, attendances=meeting.attendance_list, people=people)
    if form.is_valid():
        try:
            services.attendance_save(
                meeting=meeting, rows=form.service_rows(), expected_fingerprint=form.cleaned_data["fingerprint"]
            )
        except StaleEdit as exc:
            # Show their attendance (a fresh form), with the refusal above it.
            return meeting_page(request, slug, pk, status=409, bound={"attendance_error": exc.messages[0]})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Attendance saved.")
            return redirect(reverse("meetings:meeting-detail", args=[slug, pk]) + "#attendance")
    return meeting_page(request, slug, pk, status=400, bound={"attendance": form})


@post_only("meetings:meeting-detail", "slug", "pk", anchor="attendance")
def guest_add(request, slug, pk):
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting(board, pk)
    if refused := _refuse_if_locked(request, meeting):
        return refused
    form = forms.GuestForm(request.POST, people_qs=action_selectors.people_known_to(board))
    if form.is_valid():
        try:
            att = services.guest_add(meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{att.person} added as a guest.")
            return redirect(reverse("meetings:meeting-detail", args=[slug, pk]) + "#attendance")
    return meeting_page(request, slug, pk, status=400, bound={"guest": form})


def _agenda_page(
    request, slug, pk, *, status=200, add_form=None, paper_forms=None, htmx_message="", htmx_level="success"
):
    """The agenda builder: items in order with start times, papers, and the controls to change them."""
    board = board_for_user(request.user, slug)
    meeting = selectors.meeting_for_page(board, pk)
    items = meeting.item_list
    services.item_start_times(meeting, items)
    context = {
        "board": board,
        "meeting": meeting,
        "items": items,
        "htmx_message": htmx_message,
        "htmx_level": htmx_level,
    }
    template = "meetings/meeting_agenda.html"
    if request.htmx and htmx_message:
        # An htmx change on the builder: send back only the items table (and the status line).
        template += "#agenda-items"
    if board.access.can_edit and not meeting.is_locked:
        people_qs, people = _people(board)
        context["add_form"] = add_form or forms.AgendaItemForm(people_qs=people_qs, people=people)
        paper_forms = paper_forms or {}
        for item in items:
            item.paper_form = paper_forms.get(item.pk) or forms.PaperForm(item=item)
    return render(request, template, context, status=status)


@post_only("meetings:meeting-agenda", "slug", "pk", anchor="add-h")
def item_add(request, slug, pk):
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting(board, pk)
    if refused := _refuse_if_locked(request, meeting):
        return refused
    people_qs = action_selectors.people_known_to(board)
    form = forms.AgendaItemForm(request.POST, people_qs=people_qs)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            item = services.item_add(meeting=meeting, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Item {item.position} “{item.title}” added.")
            return redirect(reverse("meetings:meeting-agenda", args=[slug, pk]) + f"#item-{item.pk}")
    return _agenda_page(request, slug, pk, status=400, add_form=form)


def item_edit(request, slug, pk, item_pk):
    board = board_for_user(request.user, slug, edit=True)
    item = _item(board, pk, item_pk)
    if refused := _refuse_if_locked(request, item.meeting):
        return refused
    people_qs = action_selectors.people_known_to(board)
    status = 200
    if request.method == "POST":
        form = forms.AgendaItemForm(request.POST, instance=item, people_qs=people_qs)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.ITEM_FIELDS}
            try:
                services.item_update(item=item, expected_version=form.cleaned_data["version"] or 0, **values)
            except StaleEdit as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, f"Item “{item.title}” saved.")
                return redirect(reverse("meetings:meeting-agenda", args=[slug, pk]) + f"#item-{item.pk}")
        else:
            status = 400
    else:
        form = forms.AgendaItemForm(instance=item, people_qs=people_qs)
    return render(
        request,
        "meetings/agendaitem_form.html",
        {"board": board, "meeting": item.meeting, "item": item, "form": form},
        status=status,
    )


def _item_write(request, slug, pk, item_pk, write, success: str, anchor: str = "agenda"):
    """Run a one-step write on an item; refusals come back as a message on the agenda page."""
    board = board_for_user(request.user, slug, edit=True)
    item = _item(board, pk, item_pk)
    if refused := _refuse_if_locked(request, item.meeting):
        return refused
    try:
        result = write(item)
    except ValidationError as exc:
        if request.htmx:
            return _agenda_page(request, slug, pk, htmx_message=" ".join(exc.messages), htmx_level="danger")
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("meetings:meeting-agenda", args=[slug, pk]))
    if request.htmx:
        return _agenda_page(request, slug, pk, htmx_message=success.format(item=item, result=result))
    messages.success(request, success.format(item=item, result=result))
    return redirect(reverse("meetings:meeting-agenda", args=[slug, pk]) + f"#{anchor}")


@post_only("meetings:meeting-agenda", "slug", "pk", anchor="item-{item_pk}")
def item_remove(request, slug, pk, item_pk):
    return _item_write(
        request, slug, pk, item_pk, lambda item: services.item_remove(item=item), "“{item.title}” taken off the agenda."
    )


@post_only("meetings:meeting-agenda", "slug", "pk", anchor="item-{item_pk}")
def item_move(request, slug, pk, item_pk):
    direction = request.POST.get("direction", "")
    return _item_write(
        request,
        slug,
        pk,
        item_pk,
        lambda item: services.item_move(item=item, direction=direction),
        "“{item.title}” moved " + direction + ".",
        anchor=f"item-{item_pk}",
    )


@post_only("meetings:meeting-agenda", "slug", "pk", anchor="item-{item_pk}")
def item_defer(request, slug, pk, item_pk):
    return _item_write(
        request,
        slug,
        pk,
        item_pk,
        lambda item: services.item_defer(item=item),
        "“{item.title}” deferred to the meeting of {result.meeting.date:%-d %B %Y}.",
    )


@post_only("meetings:meeting-agenda", "slug", "pk", anchor="item-{item_pk}")
def paper_add(request, slug, pk, item_pk):
    board = board_for_user(request.user, slug, edit=True)
    item = _item(board, pk, item_pk)
    if refused := _refuse_if_locked(request, item.meeting):
        return refused
    form = forms.PaperForm(request.POST, request.FILES, item=item)
    if form.is_valid():
        try:
            paper = services.paper_add(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Paper “{paper.title}” attached to “{item.title}”.")
            return redirect(reverse("meetings:meeting-agenda", args=[slug, pk]) + f"#item-{item.pk}")
    messages.error(request, "The paper was not attached: " + " ".join(e for errs in form.errors.values() for e in errs))
    return _agenda_page(request, slug, pk, status=400, paper_forms={item.pk: form})


@require_safe
def paper_download(request, slug, pk, item_pk, paper_pk):
    """Papers are confidential: served only through this access-checked view, streamed from the
    storage (disk or object storage) by the app itself. No direct or signed link to the storage is
    ever handed out (docs/SECURITY.md, "Stored files")."""
    board = board_for_user(request.user, slug)
    paper = get_object_or_404(
        Paper.objects.select_related("item"),
        item__meeting__board=board,
        item__meeting_id=pk,
        item_id=item_pk,
        pk=paper_pk,
    )
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this paper is missing.") from None
    return download(handle, content_type="application/octet-stream", filename=paper.file.name.rsplit("/", 1)[-1])


@dataclass
class MinutesState:
    """What an item's minutes box says under it: the version its text is based on, and the last save."""

    version: int
    saved_at: datetime.datetime | None = None
    conflict: AgendaItem | None = None  # someone else's save, as it stands
    errors: list[str] = field(default_factory=list)


@post_only("meetings:meeting-detail", "slug", "pk", anchor="item-{item_pk}")
def item_minutes(request, slug, pk, item_pk):
    """Save minutes: one item (htmx autosave, answered with that item's status alone) or, from the
    page's one minutes form without JavaScript, every item whose fields were sent, each version-checked."""
    board = board_for_user(request.user, slug, edit=True)
    item = _item(board, pk, item_pk)
    meeting = item.meeting
    if not request.htmx and (refused := _refuse_if_locked(request, meeting)):
        return refused
    live = {i.pk: i for i in meeting.items.live()}
    posted = [i for i in live.values() if f"minutes-{i.pk}-version" in request.POST] or [live[item.pk]]
    bound = {i.pk: forms.MinutesForm(request.POST, instance=i) for i in posted}
    states = {}
    for form in bound.values():
        if not form.is_valid():
            version = form.cleaned_data.get("version") or form.instance.version
            states[form.instance.pk] = MinutesState(version=version, errors=["Not saved: see the errors above."])
    entries = [
        (f.instance, f.expected_version(), f.cleaned_data["notes"], f.cleaned_data["decisions"])
        for pk_, f in bound.items()
        if pk_ not in states
    ]
    try:
        outcome = services.minutes_save(meeting=meeting, entries=entries) if entries else services.MinutesOutcome()
    except ValidationError as exc:
        for i, *_ in entries:
            states[i.pk] = MinutesState(version=bound[i.pk].cleaned_data["version"], errors=exc.messages)
        outcome = services.MinutesOutcome()
    now = timezone.localtime()
    for saved in outcome.saved + outcome.unchanged:
        states[saved.pk] = MinutesState(version=saved.version, saved_at=now)
    for mine, theirs in outcome.conflicts:
        states[mine.pk] = MinutesState(version=bound[mine.pk].cleaned_data["version"], conflict=theirs)
    status = 409 if outcome.conflicts else 400 if any(s.errors for s in states.values()) else 200
    if request.htmx:
        # The item's status, and its "Action:" lines panel as the saved text now reads (out of band).
        shown = next((i for i in outcome.saved + outcome.unchanged if i.pk == item.pk), live[item.pk])
        shown.minutes_state = states[item.pk]
        shown.line_offers = action_selectors.action_line_offers(meeting, [shown]).get(shown.pk, [])
        return render(
            request,
            "meetings/_minutes_status.html",
            {"board": board, "meeting": meeting, "item": shown, "lines_out_of_band": True},
            status=status,
        )
    if status == 200:
        titles = ", ".join(f"“{i.title}”" for i in outcome.saved) or f"“{item.title}”"
        messages.success(request, f"Minutes of {titles} saved.")
        return redirect(reverse("meetings:meeting-detail", args=[slug, pk]) + f"#item-{item.pk}")
    # Without JavaScript: the page again, every item's text as it was typed, the refusals under theirs.
    page_bound = {("minutes-state", pk_): state for pk_, state in states.items()}
    page_bound.update({("minutes", pk_): f for pk_, f in bound.items() if states[pk_].saved_at is None})
    return meeting_page(request, slug, pk, status=status, bound=page_bound)


def _minutes_step(request, slug, pk, service, success: str):
    """A one-button change of the minutes' state: run it, or say why not, and go back to the meeting."""
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting(board, pk)
    try:
        service(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(meeting)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_approve(request, slug, pk):
    """Approve the minutes, in two steps that need no JavaScript: this page says what approval does
    (locks the meeting, stores the minutes as they print now), its button confirms."""
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting(board, pk)
    if meeting.is_locked:
        messages.info(request, "These minutes are already approved.")
        return redirect(meeting)
    status = 200
    if request.method == "POST":
        form = forms.ApproveForm(request.POST)
        if form.is_valid():
            try:
                services.minutes_approve(meeting=meeting, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, "Minutes approved. The meeting is now locked, and the minutes are kept as printed today."
                )
            return redirect(meeting)
        status = 400
    else:
        form = forms.ApproveForm()
    context = {
        "board": board,
        "meeting": meeting,
        "form": form,
        "next_version": meeting.minutes_versions.count() + 1,
    }
    return render(request, "meetings/meeting_approve.html", context, status=status)


@post_only("meetings:meeting-detail", "slug", "pk", anchor="approval-h")
def meeting_circulate(request, slug, pk):
    return _minutes_step(
        request,
        slug,
        pk,
        services.minutes_circulate,
        "Draft minutes circulated: the board's members can now read them.",
    )


@post_only("meetings:meeting-detail", "slug", "pk", anchor="approval-h")
def meeting_reopen(request, slug, pk):
    board = board_for_user(request.user, slug, edit=True)
    meeting = _meeting(board, pk)
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        return meeting_page(request, slug, pk, status=400, bound={"reopen": form})
    try:
        services.minutes_reopen(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(meeting)
    messages.success(request, "Minutes reopened. The reopening is recorded in the meeting's history.")
    return redirect(meeting)


def _forward_plan_page(request, slug, *, status=200, topic_form=None, schedule_forms=None):
    board = board_for_user(request.user, slug)
    topics = list(
        board.topics.select_related("proposed_by", "proposed_at", "scheduled_item__meeting").order_by(
            "proposed_on", "pk"
        )
    )
    untaken = [t for t in topics if t.scheduled_item_id is None]
    scheduled = [t for t in topics if t.scheduled_item_id is not None]
    context = {"board": board, "untaken": untaken, "scheduled": scheduled}
    if board.access.can_edit:
        people_qs = action_selectors.people_known_to(board)
        future_qs = board.meetings.upcoming()
        future = list(future_qs)
        context["has_future_meetings"] = bool(future)
        context["topic_form"] = topic_form or forms.TopicForm(people_qs=people_qs, meetings_qs=board.meetings.all())
        schedule_forms = schedule_forms or {}
        for topic in untaken:
            form = schedule_forms.get(topic.pk) or forms.TopicScheduleForm(topic=topic, meetings_qs=future_qs)
            form.fields["meeting"].choices = [("", "—")] + [(m.pk, f"{m.date:%-d %B %Y}") for m in future]
            topic.schedule_form = form
    return render(request, "meetings/topic_list.html", context, status=status)


@post_only("meetings:forward-plan", "slug")
def topic_add(request, slug):
    board = board_for_user(request.user, slug, edit=True)
    people_qs = action_selectors.people_known_to(board)
    form = forms.TopicForm(request.POST, people_qs=people_qs, meetings_qs=board.meetings.all())
    if form.is_valid():
        try:
            topic = services.topic_add(board=board, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"“{topic.title}” added to the forward plan.")
            return redirect("meetings:forward-plan", slug=slug)
    return _forward_plan_page(request, slug, status=400, topic_form=form)


@post_only("meetings:forward-plan", "slug")
def topic_schedule(request, slug, topic_pk):
    board = board_for_user(request.user, slug, edit=True)
    topic = get_object_or_404(Topic, board=board, pk=topic_pk)
    form = forms.TopicScheduleForm(request.POST, topic=topic, meetings_qs=board.meetings.upcoming())
    if form.is_valid():
        meeting = form.cleaned_data["meeting"]
        if refused := _refuse_if_locked(request, meeting):
            return refused
        try:
            item = services.topic_schedule(topic=topic, meeting=meeting)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"“{topic.title}” is item {item.position} of the meeting of {meeting.date:%-d %B %Y}."
            )
            return redirect("meetings:forward-plan", slug=slug)
    return _forward_plan_page(request, slug, status=400, schedule_forms={topic.pk: form})


# The read-only pages answer GET (and HEAD) only; the writes above re-render them through the
# underscore helpers with their errors.


@require_safe
def meeting_detail(request, slug, pk):
    return meeting_page(request, slug, pk)


@require_safe
def meeting_agenda(request, slug, pk):
    return _agenda_page(request, slug, pk)


@require_safe
def forward_plan(request, slug):
    return _forward_plan_page(request, slug)
