from django.urls import path

from . import views, views_import

app_name = "actions"

urlpatterns = [
    path("boards/<slug:slug>/actions/", views.action_list, name="action-list"),
    path("boards/<slug:slug>/actions/export.csv", views.action_export_csv, name="action-export-csv"),
    path("boards/<slug:slug>/actions/export.xlsx", views.action_export_xlsx, name="action-export-xlsx"),
    path("boards/<slug:slug>/actions/import/", views_import.action_import, name="action-import"),
    path(
        "boards/<slug:slug>/actions/import/confirm/", views_import.action_import_confirm, name="action-import-confirm"
    ),
    path("boards/<slug:slug>/actions/<id:number>/", views.action_detail, name="action-detail"),
    path("boards/<slug:slug>/actions/<id:number>/edit/", views.action_edit, name="action-edit"),
    path("boards/<slug:slug>/actions/<id:number>/updates/", views.action_update_add, name="action-update-add"),
    path("boards/<slug:slug>/actions/<id:number>/remove/", views.action_remove, name="action-remove"),
    path("my/actions/", views.my_actions, name="my-actions"),
]

# The log as a landscape PDF, honouring the log page's filters (meetings/views_documents.py).
from meetings import views_documents  # noqa: E402

urlpatterns += [
    path("boards/<slug:slug>/actions/export.pdf", views_documents.action_export_pdf, name="action-export-pdf"),
]
