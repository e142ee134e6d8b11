from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_export import ExportActionMixin
from liaison.lib.permissions import scope_to_staff

from . import selectors
from .admin_import import RosterImportButtonMixin, RosterImportMixin
from .models import (
    Contact,
    ContactVisit,
    Deputy,
    FixedCommunity,
    Jurisdiction,
    LeaderChange,
    Office,
    OfficeLiaison,
    Team,
    TeamMembership,
    TrainingAttendance,
    Unit,
)
from .services import calendar_token_regenerate

# How to limit foreign-key choices and autocomplete results to what the staff member manages.
CHOICE_SCOPES = {
    Jurisdiction: selectors.jurisdictions_visible_to,
    Office: selectors.offices_visible_to,
    Deputy: selectors.deputies_visible_to,
    Team: selectors.teams_visible_to,
    Unit: selectors.units_visible_to,
}


class ScopedAdminMixin(ExportActionMixin):
    """District staff see and pick only their district's objects: change lists, change views (a
    foreign id in the URL is "not found"), filters, search, autocomplete and foreign-key choices
    all go through get_queryset or the selectors above."""

    district_path = "district"

    def get_queryset(self, request):
        return scope_to_staff(super().get_queryset(request), request.user, self.district_path)

    def _scope_choices(self, db_field, request, kwargs):
        scope = CHOICE_SCOPES.get(db_field.related_model)
        if scope is not None and "queryset" not in kwargs:
            qs = scope(user=request.user)
            if db_field.remote_field.limit_choices_to:
                qs = qs.complex_filter(db_field.remote_field.limit_choices_to)
            kwargs["queryset"] = qs
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._scope_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._scope_choices(db_field, request, kwargs))


class ScopedInlineMixin(ScopedAdminMixin):
    def get_queryset(self, request):
        return admin.options.InlineModelAdmin.get_queryset(self, request)


class ScopedModelAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    pass


@admin.action(description=_("Issue new calendar feed links (old subscriptions stop working)"), permissions=["change"])
def regenerate_calendar_tokens(modeladmin, request, queryset):
    for obj in queryset:
        calendar_token_regenerate(obj=obj, actor=request.user)
    modeladmin.message_user(request, _("New calendar feed links issued: %(n)s.") % {"n": len(queryset)}, messages.SUCCESS)


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedModelAdmin):
    list_display = ("name", "level", "parent", "district", "code")
    list_filter = ("level", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return selectors.jurisdictions_visible_to(user=request.user)


@admin.register(Unit)
class UnitAdmin(ScopedModelAdmin):
    list_display = ("name", "jurisdiction", "contact_phone", "is_active")
    list_filter = ("is_active", ("jurisdiction", RelatedOnlyFieldListFilter))
    search_fields = ("name",)
    autocomplete_fields = ("jurisdiction",)


class OfficeLiaisonInline(ScopedInlineMixin, admin.TabularInline):
    model = OfficeLiaison
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Office)
class OfficeAdmin(RosterImportButtonMixin, ScopedModelAdmin):
    list_display = ("name", "kind", "jurisdiction", "district", "area_m2", "open_half_days_per_week", "is_active")
    list_filter = ("kind", "is_active", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("name", "address")
    autocomplete_fields = ("jurisdiction",)
    inlines = [OfficeLiaisonInline]
    actions = [regenerate_calendar_tokens]


class FixedCommunityInline(ScopedInlineMixin, admin.TabularInline):
    model = FixedCommunity
    extra = 1
    autocomplete_fields = ("community",)


class CentralizedTrainingFilter(admin.SimpleListFilter):
    """Every deputy takes part in a centralized course at least once a term [000 十八]."""

    title = _("centralized training this term")
    parameter_name = "trained"

    def lookups(self, request, model_admin):
        return (("yes", _("Trained")), ("no", _("Not yet trained")))

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        trained = TrainingAttendance.objects.filter(
            deputy=OuterRef("pk"), course__is_centralized=True, course__term=OuterRef("term")
        )
        return queryset.filter(Exists(trained)) if self.value() == "yes" else queryset.exclude(Exists(trained))


@admin.register(Deputy)
class DeputyAdmin(RosterImportMixin, ScopedModelAdmin):
    list_display = ("name", "gender", "level", "term", "work_unit", "position", "district", "status")
    list_filter = (
        "level", "status", "is_leadership_member", CentralizedTrainingFilter, ("district", RelatedOnlyFieldListFilter)
    )
    search_fields = ("name", "name_initials", "work_unit", "mobile")
    autocomplete_fields = ("district", "user")
    inlines = [FixedCommunityInline]
    actions = [regenerate_calendar_tokens]
    fieldsets = (
        (_("Public profile"), {"fields": ("name", "gender", "level", "term", "work_unit", "position", "photo")}),
        (_("Private"), {"fields": ("mobile", "id_number", "user")}),
        (_("Service"), {"fields": ("district", "is_leadership_member", "status")}),
    )


class TeamMembershipInline(ScopedInlineMixin, admin.TabularInline):
    model = TeamMembership
    extra = 1
    autocomplete_fields = ("deputy",)


@admin.register(Team)
class TeamAdmin(ScopedModelAdmin):
    list_display = ("name", "office", "district")
    list_filter = (("district", RelatedOnlyFieldListFilter),)
    search_fields = ("name", "office__name")
    autocomplete_fields = ("office",)
    inlines = [TeamMembershipInline]


@admin.register(LeaderChange)
class LeaderChangeAdmin(ScopedModelAdmin):
    district_path = "team__district"
    list_display = ("team", "date", "old_leader", "new_leader", "filed_by", "all_members_agreed")
    search_fields = ("team__name",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContactVisitInline(admin.TabularInline):
    model = ContactVisit
    extra = 1


@admin.register(Contact)
class ContactAdmin(ScopedModelAdmin):
    district_path = "deputy__district"
    list_display = ("name", "deputy", "kind", "is_pairing_household", "is_active")
    list_filter = ("kind", "is_pairing_household", "is_active")
    search_fields = ("name", "deputy__name")
    autocomplete_fields = ("deputy",)
    inlines = [ContactVisitInline]


# Reception periods, activities and attendance live in their own module to keep this one readable.
from . import admin_activities, admin_office_work, admin_reception  # noqa: E402, F401
