from actions.selectors import my_open_actions


def navigation(request):
    """The navigation's count of the user's open actions, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    person = getattr(user, "person", None)

    def my_open_actions_count():
        if person is None:
            return 0
        # The same rows /my/actions/ lists, as one COUNT with IN-subqueries (no joins, no DISTINCT).
        return my_open_actions(user).count()

    return {"my_open_actions_count": my_open_actions_count}
