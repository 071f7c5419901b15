"""The app's URLs plus the bench-only floor view; never included by adoptboard.urls."""

from django.urls import path

from adoptboard.urls import urlpatterns as app_urlpatterns

from . import floor

urlpatterns = [
    path("bench/floor/<slug:slug>/", floor.bare_actions, name="bench-floor"),
    path("bench/floor/<slug:slug>/review/<int:pk>/", floor.bare_review, name="bench-floor-review"),
    *app_urlpatterns,
]
