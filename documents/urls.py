from django.urls import path

from . import views

app_name = "documents"

board = "boards/<slug:slug>/"
meeting = board + "meetings/<id:pk>/"

urlpatterns = [
    path(meeting + "agenda.pdf", views.meeting_agenda_pdf, name="meeting-agenda-pdf"),
    path(meeting + "pack.pdf", views.meeting_pack_pdf, name="meeting-pack-pdf"),
    path(meeting + "minutes.pdf", views.meeting_minutes_pdf, name="meeting-minutes-pdf"),
    path(meeting + "minutes.docx", views.meeting_minutes_docx, name="meeting-minutes-docx"),
    path(
        meeting + "minutes/exports/<id:export_pk>/",
        views.meeting_minutes_export_status,
        name="meeting-minutes-export-status",
    ),
    path(
        meeting + "minutes/exports/<id:export_pk>/file",
        views.meeting_minutes_export_file,
        name="meeting-minutes-export-file",
    ),
    path(meeting + "minutes/v<id:version>.pdf", views.meeting_minutes_version_pdf, name="meeting-minutes-version-pdf"),
    path(
        meeting + "minutes/v<id:version>.docx", views.meeting_minutes_version_docx, name="meeting-minutes-version-docx"
    ),
    path(board + "calendar.ics", views.board_calendar, name="board-calendar"),
    path(board + "actions/export.csv", views.action_export_csv, name="action-export-csv"),
    path(board + "actions/export.xlsx", views.action_export_xlsx, name="action-export-xlsx"),
    path(board + "actions/export.pdf", views.action_export_pdf, name="action-export-pdf"),
    path(board + "actions/exports/<id:export_pk>/", views.action_export_status, name="action-export-status"),
    path(board + "actions/exports/<id:export_pk>/action-log.pdf", views.action_export_file, name="action-export-file"),
    path(board + "decisions/export.csv", views.decision_export_csv, name="decision-export-csv"),
    path(board + "interests/export.csv", views.interest_export_csv, name="interest-export-csv"),
]
