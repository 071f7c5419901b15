"""POST-only views that never answer a person with a bare 405."""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse


def post_only(page: str, *keys: str, anchor: str = ""):
    """Like require_POST, but a GET (or HEAD) is sent to the page the form belongs to.

    People land on these addresses by reloading a page that came back with a form's errors, or
    from their history: `page` is the URL name of that page, built from the view's own `keys`
    (no lookup, so the redirect tells nobody more than the address did); `anchor` may name the
    part of it, formatted with the view's arguments ("item-{item_pk}"). Other methods stay 405.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                url = reverse(page, kwargs={key: kwargs[key] for key in keys})
                return redirect(url + ("#" + anchor.format(**kwargs) if anchor else ""))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
