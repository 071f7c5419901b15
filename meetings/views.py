from django.shortcuts import get_object_or_404, render

from actions.models import Action

from . import selectors
from .access import board_for_user
from .models import Meeting


def dashboard(request):
    person = getattr(request.user, "person", None)
    return render(
        request,
        "meetings/dashboard.html",
        {
            "boards": selectors.boards_with_counts(request.user),
            "upcoming": selectors.upcoming_meetings(request.user),
            "my_actions": selectors.my_open_actions(person, limit=10) if person else [],
        },
    )


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
            "open_actions": Action.objects.live().open().filter(board=board).count(),
            "topics": board.topics.filter(scheduled_item__isnull=True).select_related("proposed_by"),
        },
    )


def meeting_detail(request, slug, pk):
    board = board_for_user(request.user, slug)
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board=board, pk=pk)
    return render(request, "meetings/meeting_detail.html", {"board": board, "meeting": meeting})
