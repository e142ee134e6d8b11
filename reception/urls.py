"""Reception pages, mounted at the same "org/" prefix as offices' pages so their paths did not
change when they moved here (issue 13)."""

from django.urls import path

from . import activity_views as av
from . import attendance_views, calendar_views, poster_views
from . import work_plan_views as wpv

app_name = "reception"

urlpatterns = [
    path("activities/", av.activity_list, name="activity_list"),
    path("activities/new/", av.activity_create, name="activity_create"),
    path("activities/<int:pk>/", av.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", av.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/announce/", av.activity_announce, name="activity_announce"),
    path("activities/<int:pk>/cancel/", av.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/log/", av.activity_log, name="activity_log"),
    path("activities/<int:pk>/photos/", av.activity_photo_add, name="activity_photo_add"),
    path("activities/<int:pk>/photos/<int:photo_pk>/", av.activity_photo, name="activity_photo"),
    path("leave/", av.leave_list, name="leave_list"),
    path("leave/new/", av.leave_create, name="leave_create"),
    path("leave/<int:pk>/decide/", av.leave_decide, name="leave_decide"),
    path("invitations/", av.invitation_list, name="invitation_list"),
    path("invitations/new/", av.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/decide/", av.invitation_decide, name="invitation_decide"),
    path("attendance/sheet/", attendance_views.attendance_sheet, name="attendance_sheet"),
    path("attendance/mine/", av.my_attendance, name="my_attendance"),
    path("escalations/", av.escalation_list, name="escalation_list"),
    path("escalations/mine/", av.my_escalations, name="my_escalations"),
    path("escalations/<int:pk>/explain/", av.escalation_explain, name="escalation_explain"),
    path("escalations/<int:pk>/resolve/", av.escalation_resolve, name="escalation_resolve"),
    path("escalations/<int:pk>/file/", av.escalation_file, name="escalation_file"),
    path("plans/", wpv.work_plan_list, name="work_plan_list"),
    path("plans/status/", wpv.work_plan_status, name="work_plan_status"),
    path("plans/new/", wpv.work_plan_create, name="work_plan_create"),
    path("plans/<int:pk>/", wpv.work_plan_detail, name="work_plan_detail"),
    path("plans/<int:pk>/edit/", wpv.work_plan_edit, name="work_plan_edit"),
    path("plans/<int:pk>/publish/", wpv.work_plan_publish, name="work_plan_publish"),
    # iCalendar feeds: the token in the URL is the credential (calendar apps cannot log in).
    path("calendar/deputy/<str:token>.ics", calendar_views.deputy_calendar, name="deputy_calendar"),
    path("calendar/office/<str:token>.ics", calendar_views.office_calendar, name="office_calendar"),
    path("calendar/mine/renew/", calendar_views.deputy_calendar_renew, name="deputy_calendar_renew"),
    path("calendar/offices/<int:pk>/renew/", calendar_views.office_calendar_renew, name="office_calendar_renew"),
    # QR posters 码上见代表: the office's public page, with a deputy preselected on a deputy's poster.
    path("offices/<int:pk>/poster/", poster_views.office_poster, name="office_poster"),
    path("offices/<int:pk>/deputies/<int:deputy_pk>/poster/", poster_views.deputy_poster, name="deputy_poster"),
]
