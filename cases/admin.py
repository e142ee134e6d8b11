from django.contrib import admin

from liaison.admin_export import ExportActionMixin
from liaison.lib.admin import ReadOnlyAdminMixin
from offices.admin.scoping import ScopedModelAdmin, district_list_filter

from .models import (
    Case,
    CaseDispatch,
    CaseEvent,
    CaseReminder,
    Category,
    DeadlineExtension,
    MeetingAssignment,
    PrivacyRequest,
    TeamMeeting,
)


@admin.register(Category)
class CategoryAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("name",)

    # One list for the whole city: district staff read it.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.staff_district_id is None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.staff_district_id is None

    def has_delete_permission(self, request, obj=None):
        # Categories in use are kept (PROTECT); switching one off hides it from intake.
        return False


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ("at", "actor_repr", "action", "from_status", "to_status", "comment")
    readonly_fields = fields
    extra = 0


class CaseDispatchInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseDispatch
    fields = ("round", "unit", "status", "deadline", "signed_at", "returned_at", "return_reason", "result",
              "will_solve_by", "replied_at")
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Cases move through the portal's transition pages; the admin is a read-only register."""

    list_display = ("tracking_code", "title", "status", "channel", "category", "office", "owner", "received_on")
    # At 500,000 cases: the district filter's choices without a DISTINCT over the cases, no date
    # hierarchy (its years were a DISTINCT too), newest first by the primary key rather than a
    # sort of every case by date (0.7 s).
    list_filter = ("status", "channel", "category", district_list_filter())
    search_fields = ("tracking_code", "title")
    list_select_related = ("category", "office", "owner")
    ordering = ("-id",)
    # Residents' personal data is deliberately absent: it is shown, masked or not, and audited
    # only on the case page.
    fields = ("tracking_code", "title", "content", "status", "channel", "category", "office", "owner",
              "received_on", "forward_due", "reply_due", "satisfaction", "satisfaction_source", "spot_answer",
              "feedback_note")
    readonly_fields = fields
    inlines = [CaseDispatchInline, CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    district_path = "case__district"
    list_display = ("at", "case", "actor_repr", "action", "from_status", "to_status")
    # 2.8 M events at 20,000 deputies: the action filter (a DISTINCT over every event, 370 ms) is
    # gone, the search by tracking code finds a case's timeline; newest first by the primary key
    # rather than a sort of every event (2.3 s).
    list_filter = ("to_status",)
    search_fields = ("case__tracking_code", "actor_repr")
    list_select_related = ("case",)
    ordering = ("-id",)


@admin.register(TeamMeeting)
class TeamMeetingAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    district_path = "team__district"
    list_display = ("team", "date", "chaired_by", "created_by")
    # One query for the page, not one per row and column (tests/cases/test_query_counts.py).
    list_select_related = ("team", "chaired_by", "created_by")
    search_fields = ("team__name",)


@admin.register(MeetingAssignment)
class MeetingAssignmentAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    district_path = "meeting__team__district"
    list_display = ("meeting", "case", "owner")
    list_select_related = ("meeting__team", "case", "owner")


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    district_path = "case__district"
    list_display = ("case", "kind", "due_on", "created_at")
    list_filter = ("kind",)


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Units ask and staff decide on the case page; the admin lists the requests."""

    district_path = "dispatch__case__district"
    list_display = ("dispatch", "old_deadline", "new_deadline", "status", "requested_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("dispatch__case__tracking_code", "dispatch__unit__name")
    list_select_related = ("dispatch__case", "dispatch__unit", "decided_by")


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Residents' requests to see, correct or delete their personal information: the record of
    who asked, when, what and how it ended. Written only by the residents' own pages."""

    list_display = ("created_at", "kind", "phone_masked", "status", "case_count", "outcome", "ip")
    list_filter = ("kind", "status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("phone_masked", "ip", "outcome")
    date_hierarchy = "created_at"
    list_per_page = 50
    exclude = ("phone_digest", "code_digest")
    readonly_fields = (
        "kind", "status", "phone_masked", "ip", "verified_by", "code_expires_at", "code_attempts", "case_count",
        "detail", "outcome", "created_at", "verified_at", "completed_at",
    )
