from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from meetings import selectors
from meetings.access import board_for_user

from .models import Action


def action_list(request, slug):
    board = board_for_user(request.user, slug)
    page = Paginator(Action.objects.live().filter(board=board).with_people(), 50).get_page(request.GET.get("page"))
    return render(request, "actions/action_list.html", {"board": board, "page": page})


def action_detail(request, slug, number):
    board = board_for_user(request.user, slug)
    action = get_object_or_404(Action.objects.live().with_people(), board=board, number=number)
    return render(request, "actions/action_detail.html", {"board": board, "action": action})


def my_actions(request):
    person = getattr(request.user, "person", None)
    actions = selectors.my_open_actions(person) if person else Action.objects.none()
    return render(request, "actions/my_actions.html", {"actions": actions})
