from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .lib.admin import ReadOnlyAdminMixin
from .lib.sms import sms_requeue
from .lib.validators import is_cn_mobile, mask_mobile, normalize_mobile
from .models import AuditAction, AuditLog, AuditOutcome, RoleAssignment, SmsMessage, User
from .security.twofactor import two_factor_reset
from .services import audit_record
from .sms_selectors import sms_messages_visible_to

# Changes to these fields are permission changes and are audited one by one.
ACCESS_FIELDS = ("role", "jurisdiction", "unit", "is_active", "is_superuser")


def _access_snapshot(user):
    return {f: str(getattr(user, f) or "") if f in ("jurisdiction", "unit") else getattr(user, f) for f in ACCESS_FIELDS}


def _audit_access_changes(request, obj, before):
    after = _access_snapshot(obj)
    changes = {f: [str(before[f]), str(after[f])] for f in ACCESS_FIELDS if before.get(f) != after[f]}
    if changes:
        audit_record(action="user_access_changed", request=request, obj=obj, changes=changes)


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "name", "mobile")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The system administrator's accounts: who exists and whether they may log in. Roles and
    scopes are the security administrator's (RoleAssignmentAdmin), so they are read-only here."""

    add_form = UserCreationForm
    list_display = ("username", "name", "role", "jurisdiction", "unit", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "name", "mobile")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "mobile", "email")}),
        (_("Account"), {"fields": ("is_active", "must_change_password")}),
        (_("Role and scope"), {"fields": ("role", "jurisdiction", "unit")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "mobile", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("role", "jurisdiction", "unit", "last_login", "date_joined", "password_changed_at")

    def save_model(self, request, obj, form, change):
        before = _access_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        if not change:
            # The administrator chose this password: the owner replaces it at the first login.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
        if change:
            _audit_access_changes(request, obj, before)
        else:
            audit_record(action="user_created", request=request, obj=obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: their audit trail must keep pointing at them.
        return request.user.is_superuser


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """The security administrator's page: roles and scopes, unlocking logins, resetting 2FA."""

    list_display = ("username", "name", "role", "jurisdiction", "unit", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "name")
    fields = ("username", "name", "role", "jurisdiction", "unit")
    readonly_fields = ("username", "name")
    autocomplete_fields = ("jurisdiction", "unit")
    actions = ("unlock_login", "reset_two_factor")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = _access_snapshot(User.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        _audit_access_changes(request, obj, before)

    @admin.action(description=_("Unlock login of selected accounts"), permissions=["unlock"])
    def unlock_login(self, request, queryset):
        for user in queryset:
            removed = axes_reset(username=user.username)
            audit_record(action="login_unlocked", request=request, obj=user, attempts_removed=removed)
        messages.success(request, ngettext("Unlocked %(n)d account.", "Unlocked %(n)d accounts.", len(queryset)) % {"n": len(queryset)})

    def has_unlock_permission(self, request):
        return request.user.has_perm("liaison.unlock_login")

    @admin.action(description=_("Reset two-factor authentication of selected accounts"), permissions=["reset_two_factor"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            removed = two_factor_reset(user=user)
            audit_record(action="2fa_reset", request=request, obj=user, devices_removed=removed)
        messages.success(
            request,
            ngettext(
                "Two-factor authentication reset for %(n)d account; it enrols again at the next login.",
                "Two-factor authentication reset for %(n)d accounts; they enrol again at the next login.",
                len(queryset),
            )
            % {"n": len(queryset)},
        )

    def has_reset_two_factor_permission(self, request):
        return request.user.has_perm("liaison.reset_two_factor")


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """django-axes' failed-attempt records; deleting one (or the unlock action) lifts the lock."""

    actions = ("unlock",)

    @admin.action(description=_("Unlock (remove the selected failed-attempt records)"), permissions=["delete"])
    def unlock(self, request, queryset):
        for attempt in queryset:
            audit_record(action="login_unlocked", request=request, username=attempt.username, ip_address=attempt.ip_address)
        count = queryset.count()
        queryset.delete()
        messages.success(request, ngettext("Removed %(n)d record.", "Removed %(n)d records.", count) % {"n": count})

    def delete_model(self, request, obj):
        audit_record(action="login_unlocked", request=request, username=obj.username, ip_address=obj.ip_address)
        super().delete_model(request, obj)


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The SMS outbox: every message, whatever the backend, with its delivery record. Scoped like
    the rest of the staff's data (liaison.sms_selectors: district staff see their district's
    messages, the system administrator none), phones masked in the list and on the detail page,
    secret parameters shown as ****** everywhere, and every look at it audited. A phone can be
    looked up only by its full number, and the search is audited. Failed messages can be queued
    again once the cause (a wrong number, an unapproved template) is fixed."""

    list_display = ("created_at", "masked_phone", "district", "template", "status", "provider_code", "attempts", "sent_at")
    list_filter = (
        "status", "template", "backend", ("district", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    # No partial search on phones: a full number matches exactly (get_search_results).
    search_fields = ("text", "provider_message_id", "provider_code")
    search_help_text = _("Searches the text and the provider's ids. A phone is found only by its full 11-digit number; such searches are recorded in the audit log.")
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False  # the outbox grows by thousands a period; skip the COUNT(*)
    actions = ["requeue"]
    fieldsets = (
        (None, {"fields": ("masked_phone", "district", "template", "params", "text")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "status", "backend", "template_id", "provider_message_id", "provider_code", "error", "attempts",
                    "created_at", "scheduled_at", "expires_at", "claimed_at", "sent_at",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return sms_messages_visible_to(user=request.user).select_related("district")

    @admin.display(description=_("phone"), ordering="phone")
    def masked_phone(self, obj):
        return mask_mobile(obj.phone)

    def get_search_results(self, request, queryset, search_term):
        phone = normalize_mobile(search_term.strip())
        if is_cn_mobile(phone):
            return queryset.filter(phone=phone), False
        return super().get_search_results(request, queryset, search_term)

    def has_change_permission(self, request, obj=None):
        # The one write is the requeue action, which asks without an object; a message's own page
        # is read-only.
        return obj is None and request.user.has_perm("liaison.change_smsmessage")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["masked_phone"]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            filters = {key: value[:100] for key, value in request.GET.items() if key != SEARCH_VAR}
            term = request.GET.get(SEARCH_VAR, "").strip()
            detail = {"filters": filters, "shown": len(response.context_data["cl"].result_list)}
            if is_cn_mobile(term):
                detail["phone_searched"] = mask_mobile(term)
            elif term:
                detail["search"] = term[:100]
            audit_record(action="sms_outbox_viewed", request=request, **detail)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and response.status_code == 200 and original is not None:
            audit_record(action="sms_message_viewed", request=request, obj=original)
        return response

    @admin.action(description=_("Queue the selected failed messages again"), permissions=["change"])
    def requeue(self, request, queryset):
        count = sms_requeue(messages=queryset)
        audit_record(action="sms_requeued", request=request, count=count)
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": count})


class AuditActionFilter(admin.SimpleListFilter):
    # The vocabulary's labels, not a SELECT DISTINCT over a table that grows by the million.
    title = AuditLog._meta.get_field("action").verbose_name
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return AuditAction.choices

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class AuditOutcomeFilter(AuditActionFilter):
    title = AuditLog._meta.get_field("outcome").verbose_name
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return AuditOutcome.choices

    def queryset(self, request, queryset):
        return queryset.filter(outcome=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included; the auditor's page is /audit/."""

    list_display = ("at", "actor_repr", "ip", "action_display", "object_display", "outcome_display")
    list_filter = (AuditActionFilter, AuditOutcomeFilter)
    search_fields = ("actor_repr", "object_repr", "ip")
    date_hierarchy = "at"

    @admin.display(description=AuditLog._meta.get_field("action").verbose_name, ordering="action")
    def action_display(self, obj):
        return obj.action_label

    @admin.display(description=AuditLog._meta.get_field("object_repr").verbose_name, ordering="object_repr")
    def object_display(self, obj):
        return f"{obj.object_type_label} {obj.object_repr}".strip()

    @admin.display(description=AuditLog._meta.get_field("outcome").verbose_name, ordering="outcome")
    def outcome_display(self, obj):
        return obj.outcome_label
