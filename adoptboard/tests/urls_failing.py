"""The app's URLs (and its error handlers) plus a view that fails, for the error-page tests."""

from django.urls import path

from adoptboard import urls as app_urls


def fails(request):
    raise RuntimeError("secret detail: the minutes of 12 March, SELECT * FROM meetings_meeting")


handler500 = app_urls.handler500
urlpatterns = [path("fails/", fails), *app_urls.urlpatterns]
