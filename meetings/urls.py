from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("boards/<slug:slug>/", views.board_detail, name="board-detail"),
    path("boards/<slug:slug>/meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
]
