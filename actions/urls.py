from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("boards/<slug:slug>/actions/", views.action_list, name="action-list"),
    path("boards/<slug:slug>/actions/<int:number>/", views.action_detail, name="action-detail"),
]
urlpatterns += [path("my/actions/", views.my_actions, name="my-actions")]
