from actions.models import Action


def navigation(request):
    """The navigation's count of the user's open actions, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    person = getattr(user, "person", None)

    def my_open_actions_count():
        if person is None:
            return 0
        return Action.objects.live().open().for_person(person).count()

    return {"my_open_actions_count": my_open_actions_count}
