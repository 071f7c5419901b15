from django.urls import path

from . import views, views_import, views_lines, views_meeting

app_name = "actions"

urlpatterns = [
    path("boards/<slug:slug>/actions/", views.action_list, name="action-list"),
    path("boards/<slug:slug>/actions/import/", views_import.action_import, name="action-import"),
    path(
        "boards/<slug:slug>/actions/import/confirm/", views_import.action_import_confirm, name="action-import-confirm"
    ),
    path("boards/<slug:slug>/actions/<id:number>/", views.action_detail, name="action-detail"),
    path("boards/<slug:slug>/actions/<id:number>/edit/", views.action_edit, name="action-edit"),
    path("boards/<slug:slug>/actions/<id:number>/updates/", views.action_update_add, name="action-update-add"),
    path("boards/<slug:slug>/actions/<id:number>/remove/", views.action_remove, name="action-remove"),
    path("my/actions/", views.my_actions, name="my-actions"),
    # At a meeting: raising actions while minuting, and the action-log review.
    path(
        "boards/<slug:slug>/meetings/<id:pk>/items/<id:item_pk>/actions/",
        views_meeting.item_raise_action,
        name="item-raise-action",
    ),
    path("boards/<slug:slug>/meetings/<id:pk>/review/", views_meeting.meeting_review, name="meeting-review"),
    path(
        "boards/<slug:slug>/meetings/<id:pk>/action-lines/",
        views_lines.meeting_action_lines,
        name="meeting-action-lines",
    ),
]
