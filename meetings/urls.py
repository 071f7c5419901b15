from django.urls import path

from . import views, views_board

app_name = "meetings"

meeting = "boards/<slug:slug>/meetings/<id:pk>/"
item = meeting + "items/<id:item_pk>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Before boards/<slug>/: "new" is reserved (meetings.services_board.RESERVED_SLUGS).
    path("boards/new/", views_board.board_create, name="board-create"),
    path("boards/<slug:slug>/", views.board_detail, name="board-detail"),
    path("boards/<slug:slug>/meetings/new/", views.meeting_schedule, name="meeting-schedule"),
    path(meeting, views.meeting_detail, name="meeting-detail"),
    path(meeting + "edit/", views.meeting_edit, name="meeting-edit"),
    path(meeting + "attendance/", views.attendance_save, name="meeting-attendance"),
    path(meeting + "guests/", views.guest_add, name="meeting-guest-add"),
    path(meeting + "agenda/", views.meeting_agenda, name="meeting-agenda"),
    path(meeting + "agenda/items/", views.item_add, name="item-add"),
    path(meeting + "circulate/", views.meeting_circulate, name="meeting-circulate"),
    path(meeting + "approve/", views.meeting_approve, name="meeting-approve"),
    path(meeting + "reopen/", views.meeting_reopen, name="meeting-reopen"),
    path(item + "edit/", views.item_edit, name="item-edit"),
    path(item + "remove/", views.item_remove, name="item-remove"),
    path(item + "move/", views.item_move, name="item-move"),
    path(item + "defer/", views.item_defer, name="item-defer"),
    path(item + "minutes/", views.item_minutes, name="item-minutes"),
    path(item + "papers/", views.paper_add, name="paper-add"),
    path(item + "papers/<id:paper_pk>/", views.paper_download, name="paper-download"),
    path("boards/<slug:slug>/forward-plan/", views.forward_plan, name="forward-plan"),
    path("boards/<slug:slug>/forward-plan/topics/", views.topic_add, name="topic-add"),
    path("boards/<slug:slug>/forward-plan/topics/<id:topic_pk>/schedule/", views.topic_schedule, name="topic-schedule"),
]

# The board's settings and people.
person = "boards/<slug:slug>/people/<id:person_pk>/"
urlpatterns += [
    path("boards/<slug:slug>/settings/", views_board.board_settings, name="board-settings"),
    path("boards/<slug:slug>/people/", views_board.board_people, name="board-people"),
    path("boards/<slug:slug>/people/add/", views_board.member_add, name="member-add"),
    path(person, views_board.person_edit, name="person-edit"),
    path(person + "make-member/", views_board.guest_make_member, name="guest-make-member"),
    path(person + "seats/<id:seat_pk>/", views_board.membership_edit, name="membership-edit"),
    path(person + "seats/<id:seat_pk>/end/", views_board.membership_end, name="membership-end"),
]

# The audit trail (editors only).
from . import views_history  # noqa: E402

urlpatterns += [
    path("boards/<slug:slug>/history/", views_history.board_history, name="board-history"),
    path("boards/<slug:slug>/history/<slug:kind>/<id:pk>/", views_history.object_history, name="object-history"),
    path(
        "boards/<slug:slug>/history/<slug:kind>/<id:pk>/restore/", views_history.object_restore, name="object-restore"
    ),
]

# The registers the minutes feed, and a meeting's declarations of interest.
from . import views_registers  # noqa: E402

urlpatterns += [
    path("boards/<slug:slug>/decisions/", views_registers.decision_register, name="decision-register"),
    path("boards/<slug:slug>/interests/", views_registers.interest_register, name="interest-register"),
    path(meeting + "declarations/", views_registers.meeting_declarations, name="meeting-declarations"),
    path(meeting + "declarations/none/", views_registers.declarations_none, name="declarations-none"),
    path(
        meeting + "declarations/<id:declaration_pk>/remove/",
        views_registers.declaration_remove,
        name="declaration-remove",
    ),
]
