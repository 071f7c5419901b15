from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("boards/<slug:slug>/meetings/<id:pk>/send-agenda/", views.agenda_send, name="agenda-send"),
    path("account/reminders/", views.reminders_choice, name="reminders-choice"),
]
