from django.urls import path

from . import dispatch_views, views

app_name = "cases"

urlpatterns = [
    path("", views.deputy_queue, name="queue"),
    path("desk/", views.liaison_desk, name="desk"),
    path("inbox/", views.unit_inbox, name="inbox"),
    path("to-dispatch/", views.staff_queue, name="dispatch_queue"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("new/", views.case_register, name="register"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/receive/", views.case_receive, name="receive"),
    path("<int:pk>/attach/", views.case_attach, name="attach"),
    path("<int:pk>/answer/", views.case_answer, name="answer"),
    path("<int:pk>/assign/", views.case_assign, name="assign"),
    path("<int:pk>/forward/", views.case_forward, name="forward"),
    path("<int:pk>/dispatch/", views.case_dispatch, name="dispatch"),
    path("<int:pk>/reply/", views.case_reply, name="reply"),
    path("<int:pk>/feedback/", views.case_feedback, name="feedback"),
    path("<int:pk>/archive/", views.case_archive, name="archive"),
    path("<int:pk>/follow-up/", views.case_follow_up, name="follow_up"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    # A unit's moves on its own share of a dispatch, and staff's answers (cases.dispatch_views).
    path("dispatches/<int:pk>/sign/", dispatch_views.dispatch_sign, name="dispatch_sign"),
    path("dispatches/<int:pk>/return/", dispatch_views.dispatch_return, name="dispatch_return"),
    path("dispatches/<int:pk>/extend/", dispatch_views.dispatch_extend, name="dispatch_extend"),
    path("dispatches/<int:pk>/redispatch/", dispatch_views.dispatch_redispatch, name="dispatch_redispatch"),
    path("dispatches/<int:pk>/close/", dispatch_views.dispatch_close, name="dispatch_close"),
    path("extensions/<int:pk>/approve/", dispatch_views.extension_approve, name="extension_approve"),
    path("extensions/<int:pk>/refuse/", dispatch_views.extension_refuse, name="extension_refuse"),
    path("teams/<int:team_pk>/meeting/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
