"""The organization department's admin for points: rule sets (versioned: a published set is read-only
and changed through a new version), bindings, and read-only views of the ledger, claims, reviews,
snapshots, reports and export jobs. The ledger is append-only: no add, change or delete here."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.admin_export import ExportActionMixin
from liaison.lib.admin import ReadOnlyAdminMixin
from offices.admin.scoping import ScopedAdminMixin
from offices.models import Jurisdiction
from offices.selectors import jurisdictions_visible_to

from . import services
from .models import AnnualReport, Claim, Entry, ExportJob, Review, RuleItem, RuleSet, RuleSetBinding, Snapshot
from .models.rules import RecordEvent


class RuleItemInline(admin.TabularInline):
    model = RuleItem
    extra = 0
    fields = ("category", "number", "variant", "name", "points", "cap_per_year", "event")

    def _editable(self, obj):
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(RuleSet)
class RuleSetAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = ("name", "code", "version", "is_default", "published_at")
    list_filter = ("code", "is_default")
    inlines = [RuleItemInline]
    actions = ["new_version", "publish", "publish_as_default"]
    readonly_fields = ("is_default", "published_at", "based_on", "created_at")

    # Rule sets are the city's (districts bind one of them to a year, below): district staff read.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.staff_district_id is None

    def has_change_permission(self, request, obj=None):
        # A published set never changes: points already published were scored under it.
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj) and request.user.staff_district_id is None

    def has_delete_permission(self, request, obj=None):
        return (
            (obj is None or not obj.is_published) and super().has_delete_permission(request, obj)
            and request.user.staff_district_id is None
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (*self.readonly_fields, "code", "version")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            latest = RuleSet.objects.filter(code=obj.code).order_by("-version").first()
            obj.version = latest.version + 1 if latest else 1
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Create a new editable version"), permissions=["add"])
    def new_version(self, request, queryset):
        for rule_set in queryset:
            copy = services.ruleset_new_version(rule_set=rule_set, actor=request.user)
            self.message_user(request, _("Created %(set)s; edit it, then publish it.") % {"set": copy})

    def _publish(self, request, queryset, make_default):
        for rule_set in queryset:
            try:
                services.ruleset_publish(rule_set=rule_set, make_default=make_default, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{rule_set}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("Published %(set)s.") % {"set": rule_set})

    @admin.action(description=_("Publish"), permissions=["add"])
    def publish(self, request, queryset):
        self._publish(request, queryset, False)

    @admin.action(description=_("Publish and make it the default"), permissions=["add"])
    def publish_as_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one rule set to make the default."), messages.ERROR)
            return
        self._publish(request, queryset, True)


@admin.register(RuleSetBinding)
class RuleSetBindingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    district_path = "jurisdiction__district"
    list_display = ("jurisdiction", "year", "rule_set")
    list_filter = ("year",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rule_set":
            kwargs["queryset"] = RuleSet.objects.filter(published_at__isnull=False)
        if db_field.name == "jurisdiction":
            kwargs["queryset"] = jurisdictions_visible_to(user=request.user).filter(
                level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    district_path = "deputy__district"


class LedgerYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, this_year - 6, -1)]

    def queryset(self, request, queryset):
        return queryset.filter(year=int(self.value())) if (self.value() or "").isdigit() else queryset


class LedgerEventFilter(admin.SimpleListFilter):
    """The events points are recorded for (RecordEvent) and claims: the choices are known, where
    Django's filter on a plain column read them with a DISTINCT over the ledger (240 ms)."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [*RecordEvent.choices, ("claim", _("Claim"))]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "deputy", "rule_item", "points", "kind", "event", "reason", "created_at")
    # The year among the term's years (a DISTINCT over the ledger read every entry: 300 ms at
    # 1.8 M entries, and the date hierarchy another 540 ms); newest written first, in the order of
    # the primary key (the occurred_on order sorted the whole ledger: 1.9 s).
    list_filter = (LedgerYearFilter, "kind", LedgerEventFilter)
    search_fields = ("deputy__name", "deputy__name_initials")
    list_select_related = ("deputy", "rule_item")
    ordering = ("-id",)


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("deputy", "rule_item", "occurred_on", "status", "office", "created_at")
    list_filter = ("status",)
    search_fields = ("deputy__name", "description")
    list_select_related = ("deputy", "rule_item", "office")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("deputy", "entry", "status", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("deputy", "entry__rule_item", "entry__deputy", "decided_by")


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ("deputy", "year", "status", "submitted_at")
    list_filter = ("year", "status")
    search_fields = ("deputy__name",)


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdminMixin, ExportActionMixin, admin.ModelAdmin):
    list_display = ("year", "quarter", "published_at", "published_by")


@admin.register(ExportJob)
class ExportJobAdmin(SnapshotAdmin):
    list_display = ("kind", "year", "district", "status", "requested_by", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(requested_by=request.user)
