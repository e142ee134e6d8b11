from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import (
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
from ..services import calendar_token_regenerate
from .roster_import import RosterImportButtonMixin, RosterImportMixin
from .scoping import PythonRenderedFormMixin, PythonRenderedInlineMixin, ScopedInlineMixin, ScopedModelAdmin


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
        # The change list applies its own select_related only to a queryset that has none: the
        # district column made one query per row (102 on a page) until it was named here.
        return selectors.jurisdictions_visible_to(user=request.user).select_related("district")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "level" and request.user.staff_district_id is not None:
            # District staff add streets and communities inside their district; a new city or
            # district would fall outside the scope they manage.
            low = (Jurisdiction.Level.STREET, Jurisdiction.Level.COMMUNITY)
            kwargs["choices"] = [c for c in db_field.get_choices(include_blank=True) if not c[0] or c[0] in low]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Unit)
class UnitAdmin(ScopedModelAdmin):
    list_display = ("name", "jurisdiction", "contact_phone", "is_active")
    list_filter = ("is_active", ("jurisdiction", RelatedOnlyFieldListFilter))
    search_fields = ("name",)
    autocomplete_fields = ("jurisdiction",)


class OfficeLiaisonInline(PythonRenderedInlineMixin, ScopedInlineMixin, admin.TabularInline):
    # A plain select of the liaison accounts in scope: staff have no access to the accounts
    # admin that an autocomplete would query.
    model = OfficeLiaison
    extra = 1

    def get_queryset(self, request):
        # Each row shows itself (office and account names): read with the rows, not per row.
        return super().get_queryset(request).select_related("office", "user")


@admin.register(Office)
class OfficeAdmin(PythonRenderedFormMixin, RosterImportButtonMixin, ScopedModelAdmin):
    list_display = (
        "name", "kind", "jurisdiction", "district", "area_m2", "open_half_days_per_week", "is_active", "qr_poster"
    )
    list_select_related = ("jurisdiction", "district")  # the district is nullable: not followed by default
    list_filter = ("kind", "is_active", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("name", "address")
    autocomplete_fields = ("jurisdiction",)
    inlines = [OfficeLiaisonInline]
    actions = [regenerate_calendar_tokens]

    @admin.display(description=_("QR poster"))
    def qr_poster(self, obj):
        if not obj.is_active:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("reception:office_poster", args=[obj.pk]), _("Print"))


def _kept_rows(formset, field):
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get(field) is not None
    ]


class FixedCommunityFormSet(BaseInlineFormSet):
    """The fixed-community rules of [000 一], checked by the same service as the roster import."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        deputy = self.instance
        if not deputy.district_id:
            return  # the deputy form reports the missing district
        try:
            services.fixed_communities_validate(
                level=deputy.level,
                district=deputy.district,
                is_leadership_member=deputy.is_leadership_member,
                communities=[row["community"] for row in _kept_rows(self, "community")],
            )
        except ValidationError as e:
            raise ValidationError(e.messages) from None


class FixedCommunityInline(PythonRenderedInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = FixedCommunity
    formset = FixedCommunityFormSet
    extra = 1
    min_num = 1
    autocomplete_fields = ("community",)

    def get_queryset(self, request):
        # Each row's label is "deputy → community": two queries per row without these.
        return super().get_queryset(request).select_related("deputy", "community")


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
class DeputyAdmin(PythonRenderedFormMixin, RosterImportMixin, ScopedModelAdmin):
    list_display = (
        "name", "gender", "level", "term", "work_unit", "position", "district", "communities", "team_names", "status"
    )
    list_filter = (
        "level", "status", "is_leadership_member", CentralizedTrainingFilter, ("district", RelatedOnlyFieldListFilter)
    )
    search_fields = ("name", "name_initials", "work_unit", "mobile")
    autocomplete_fields = ("district",)
    inlines = [FixedCommunityInline]
    actions = [regenerate_calendar_tokens]
    fieldsets = (
        (_("Public profile"), {"fields": ("name", "gender", "level", "term", "work_unit", "position", "photo")}),
        (_("Private"), {"fields": ("mobile", "id_number", "user")}),
        (_("Service"), {"fields": ("district", "is_leadership_member", "status")}),
    )

    def get_queryset(self, request):
        # Into plain lists (to_attr), with each membership's team joined: Django's prefetch into the
        # related managers builds a queryset per deputy and relation (200 clones a page of 100,
        # the largest part of this list's Python time at city scale, issue 10).
        return super().get_queryset(request).prefetch_related(
            Prefetch("fixed_communities", to_attr="fixed_community_list"),
            Prefetch("memberships", queryset=TeamMembership.objects.select_related("team"), to_attr="membership_list"),
        )

    def get_object(self, request, object_id, from_field=None):
        # Django's get_object without the change list's prefetches: the change, delete and history
        # pages show neither column (two queries; issue 10).
        queryset = self.get_queryset(request).prefetch_related(None)
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    @admin.display(description=_("fixed communities"))
    def communities(self, obj):
        communities = getattr(obj, "fixed_community_list", None)  # None: a deputy read without the list's prefetch
        return "、".join(c.name for c in (obj.fixed_communities.all() if communities is None else communities))

    @admin.display(description=_("teams"))
    def team_names(self, obj):
        memberships = getattr(obj, "membership_list", None)  # None: a deputy read without the list's prefetch
        if memberships is None:
            memberships = obj.memberships.select_related("team")
        return "、".join(f"{m.team.name}（{_('leader')}）" if m.is_leader else m.team.name for m in memberships)


class TeamMembershipFormSet(BaseInlineFormSet):
    """Exactly one leader, members fixed to the team's community [000 二]; a new leader goes
    through the leader-change record, never through this list."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        team = self.instance
        members = [(row["deputy"], bool(row.get("is_leader"))) for row in _kept_rows(self, "deputy")]
        if not members or not team.office_id:
            return
        try:
            services.team_members_validate(team_community=team.office.jurisdiction, members=members)
        except ValidationError as e:
            raise ValidationError(e.messages) from None
        if team.pk:
            current = TeamMembership.objects.filter(team=team, is_leader=True).values_list("deputy_id", flat=True).first()
            new = next(d.pk for d, is_leader in members if is_leader)
            if current is not None and current != new:
                raise ValidationError(
                    _("Change the leader with the leader-change form, which records the members' agreement.")
                )


class TeamMembershipInline(PythonRenderedInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = TeamMembership
    formset = TeamMembershipFormSet
    extra = 1
    autocomplete_fields = ("deputy",)

    def get_queryset(self, request):
        # Each row's label is "team · deputy": two queries per member without these.
        return super().get_queryset(request).select_related("team", "deputy")


@admin.register(Team)
class TeamAdmin(PythonRenderedFormMixin, ScopedModelAdmin):
    list_display = ("name", "office", "district", "leader", "member_count")
    list_filter = (("district", RelatedOnlyFieldListFilter),)
    search_fields = ("name", "office__name", "memberships__deputy__name", "memberships__deputy__name_initials")
    autocomplete_fields = ("office",)
    inlines = [TeamMembershipInline]

    def get_queryset(self, request):
        leader = TeamMembership.objects.filter(team=OuterRef("pk"), is_leader=True).values("deputy__name")[:1]
        # Counted per row of the page (a correlated subquery, run after the page's ORDER BY and
        # LIMIT), not by grouping every team with all 20,000 memberships first (issue 10: 18 ms
        # of the list's SQL at 10x, and the list's count joined them too).
        members = (
            TeamMembership.objects.filter(team=OuterRef("pk")).order_by().values("team")
            .annotate(n=Count("pk")).values("n")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("office", "district")
            .annotate(leader_name=Subquery(leader), n_members=Coalesce(Subquery(members), 0))
        )

    @admin.display(description=_("leader"), ordering="leader_name")
    def leader(self, obj):
        return obj.leader_name

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members


class _DryRun(Exception):
    pass


class LeaderChangeForm(forms.ModelForm):
    """Checks the change with the service itself, in a savepoint that is rolled back, so the
    admin refuses exactly what team_change_leader refuses [000 二]."""

    class Meta:
        model = LeaderChange
        fields = ("team", "date", "new_leader", "reason", "all_members_agreed")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                services.team_change_leader(
                    team=data["team"],
                    new_leader=data["new_leader"],
                    date=data["date"],
                    reason=data.get("reason", ""),
                    filed_by=self.filed_by,
                    all_members_agreed=data.get("all_members_agreed", False),
                )
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as e:
            raise ValidationError(e.messages) from None
        return data


@admin.register(LeaderChange)
class LeaderChangeAdmin(ScopedModelAdmin):
    district_path = "team__district"
    form = LeaderChangeForm
    list_display = ("team", "date", "old_leader", "new_leader", "filed_by", "all_members_agreed")
    list_filter = ("all_members_agreed", ("team__district", RelatedOnlyFieldListFilter))
    search_fields = ("team__name", "new_leader__name", "new_leader__name_initials")
    autocomplete_fields = ("team", "new_leader")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"filed_by": request.user})

    def get_readonly_fields(self, request, obj=None):
        return ("old_leader", "filed_by", "created_at") if obj else ()

    def get_fields(self, request, obj=None):
        if obj:
            return ("team", "date", "old_leader", "new_leader", "reason", "filed_by", "all_members_agreed", "created_at")
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        # The leader changes through the service, which writes this record itself.
        record = services.team_change_leader(
            team=obj.team,
            new_leader=obj.new_leader,
            date=obj.date,
            reason=obj.reason,
            filed_by=request.user,
            all_members_agreed=obj.all_members_agreed,
        )
        obj.pk, obj.old_leader_id, obj.filed_by_id = record.pk, record.old_leader_id, record.filed_by_id

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


# Office evaluations, training and budgets live in their own module to keep this one readable.
