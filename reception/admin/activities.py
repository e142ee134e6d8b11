"""Admin for activities, attendance, leave requests, escalations and invitations. These rows
change only through the services (the portal pages call them), so the admin lists and shows
them, scoped to the staff member's district, and does not edit them."""

from django.contrib import admin

from liaison.lib.admin import ReadOnlyAdminMixin
from offices.admin.scoping import ScopedModelAdmin, district_list_filter

from ..models import Activity, ActivityParticipant, Attendance, Escalation, Invitation, LeaveRequest


class ParticipantInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ActivityParticipant
    fields = ("deputy", "attended")
    extra = 0

    def get_queryset(self, request):
        # Each read-only row shows its deputy (and the row's label names activity and deputy).
        return super().get_queryset(request).select_related("deputy", "activity")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("date", "slot", "title", "kind", "office", "status", "households")
    list_filter = ("kind", "status", district_list_filter())
    search_fields = ("title", "office__name")
    date_hierarchy = "date"
    list_select_related = ("office",)
    inlines = [ParticipantInline]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    district_path = "period__district"
    list_display = ("deputy", "period", "outcome", "activity", "recorded_by", "recorded_at")
    list_filter = ("outcome", district_list_filter("period__district"))
    search_fields = ("deputy__name", "deputy__name_initials")
    list_select_related = ("deputy", "period__district", "activity", "recorded_by")
    ordering = ("-id",)  # newest first, read from the primary key instead of sorting the table


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("deputy", "activity", "status", "filed_at", "decided_by", "decided_at")
    list_filter = ("status", district_list_filter())
    search_fields = ("deputy__name",)
    list_select_related = ("deputy", "activity", "decided_by")
    ordering = ("-id",)  # newest first, read from the primary key instead of sorting the table


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("deputy", "period", "step", "streak", "status", "created_at", "explained_at", "resolved_by")
    list_filter = ("step", "status", district_list_filter())
    search_fields = ("deputy__name",)
    list_select_related = ("deputy", "period__district", "resolved_by")
    ordering = ("-id",)  # newest first, read from the primary key instead of sorting the table


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("department", "activity", "deputy", "status", "attendees", "decided_by", "decided_at")
    list_filter = ("status", district_list_filter())
    search_fields = ("department", "deputy__name")
    list_select_related = ("deputy", "activity", "decided_by")
