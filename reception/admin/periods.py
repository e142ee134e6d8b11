"""Admin for reception rules, statutory holidays and reception periods: the organization
department's workplace for the calendar (SPEC §2)."""

from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.admin_export import ExportActionMixin
from offices.admin.scoping import ScopedModelAdmin

from ..models import ReceptionPeriod, ReceptionReminder, ReceptionRule, StatutoryHoliday
from ..period_services import holidays_refresh_flags, reception_period_move, reception_periods_generate


@admin.register(ReceptionRule)
class ReceptionRuleAdmin(ScopedModelAdmin):
    district_path = "jurisdiction__district"
    list_display = ("jurisdiction", "kind", "length_days", "fixed_days")
    autocomplete_fields = ("jurisdiction",)


@admin.register(StatutoryHoliday)
class StatutoryHolidayAdmin(ExportActionMixin, admin.ModelAdmin):
    # StatutoryHoliday keeps no historical records (the library refresh rewrites its rows), so its
    # history page is Django's log of admin changes; SimpleHistoryAdmin here answered every
    # history request with a 500.
    list_display = ("date", "name", "source")
    list_filter = ("source",)
    date_hierarchy = "date"
    search_fields = ("name",)

    def has_add_permission(self, request):
        # The holiday calendar is the city's: district staff read it.
        return super().has_add_permission(request) and request.user.staff_district_id is None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.staff_district_id is None

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and request.user.staff_district_id is None

    def save_model(self, request, obj, form, change):
        obj.source = StatutoryHoliday.Source.STAFF
        super().save_model(request, obj, form, change)
        holidays_refresh_flags(start=obj.date, end=obj.date)

    def delete_model(self, request, obj):
        day = obj.date
        super().delete_model(request, obj)
        holidays_refresh_flags(start=day, end=day)


@admin.register(ReceptionPeriod)
class ReceptionPeriodAdmin(ScopedModelAdmin):
    district_path = "district"
    list_display = ("district", "start", "end", "overlaps_holiday", "holiday_names", "edited_by_staff", "note")
    list_filter = ("overlaps_holiday", "edited_by_staff", ("district", RelatedOnlyFieldListFilter))
    date_hierarchy = "start"
    fields = ("district", "start", "end", "note", "overlaps_holiday", "holiday_names", "edited_by_staff", "edited_by", "edited_at")
    readonly_fields = ("overlaps_holiday", "holiday_names", "edited_by_staff", "edited_by", "edited_at")
    actions = ["regenerate_year"]

    def get_readonly_fields(self, request, obj=None):
        ro = list(super().get_readonly_fields(request, obj))
        return ro + ["district"] if obj is not None else ro

    def has_add_permission(self, request):
        # Periods come from the rule (generate_periods); staff move them, they do not invent them.
        return False

    def save_model(self, request, obj, form, change):
        try:
            moved = reception_period_move(
                period=obj, start=form.cleaned_data["start"], end=form.cleaned_data["end"], actor=request.user,
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if moved.deputies_told:
                messages.info(request, _("%(n)s deputies already reminded of this period were told its new dates by SMS "
                                         "and in the portal.") % {"n": moved.deputies_told})

    @admin.action(description=_("Regenerate the selected periods' years from the rules (staff edits are kept)"))
    def regenerate_year(self, request, queryset):
        years = sorted({p.start.year for p in queryset}) or [timezone.localdate().year + 1]
        districts = {p.district for p in queryset}
        for year in years:
            stats = reception_periods_generate(year=year, districts=districts)
            self.message_user(
                request,
                _("%(year)s: %(created)s created, %(updated)s updated, %(kept)s kept.") % {"year": year, **stats},
            )


@admin.register(ReceptionReminder)
class ReceptionReminderAdmin(ScopedModelAdmin):
    """Who was reminded of which period, and what became of the SMS. Written by the reminder job
    only (reception.tasks.reception_reminders_task, the send_reception_reminders command)."""

    district_path = "period__district"
    list_display = ("period", "deputy", "sms_status", "sms_sent_at", "created_at")
    list_filter = ("sms__status", ("period__district", RelatedOnlyFieldListFilter))
    list_select_related = ("period__district", "deputy", "sms")
    search_fields = ("deputy__name", "deputy__name_initials")
    date_hierarchy = "created_at"
    raw_id_fields = ("period", "deputy", "sms")

    @admin.display(description=_("SMS status"), ordering="sms__status")
    def sms_status(self, obj):
        return obj.sms.get_status_display() if obj.sms_id else "—"

    @admin.display(description=_("sent at"), ordering="sms__sent_at")
    def sms_sent_at(self, obj):
        return obj.sms.sent_at if obj.sms_id else None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
