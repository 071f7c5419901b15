from .selectors import my_open_actions_count as count_open


def navigation(request):
    """The navigation's count of the user's open actions, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_open_actions_count():
        # The same rows /my/actions/ lists, as one COUNT with IN-subqueries (no joins, no DISTINCT);
        # none, and no query, for a user who is no person.
        return count_open(user)

    return {"my_open_actions_count": my_open_actions_count}
