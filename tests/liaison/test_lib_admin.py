"""liaison.lib.admin.ReadOnlyAdminMixin: rows written by services are shown, never edited, in the admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from cases.models import CaseEvent, PrivacyRequest
from liaison.lib.admin import ReadOnlyAdminMixin
from liaison.models import AuditLog, SmsMessage
from scoring.models import Claim, Entry, Snapshot


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = type("Super", (AnonymousUser,), {"is_active": True, "is_superuser": True, "is_staff": True,
                                                     "has_perm": lambda self, perm, obj=None: True})()
    return request


def test_the_mixin_refuses_every_write_even_to_a_superuser():
    class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
        pass

    class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
        model = CaseEvent

    request = _superuser_request()
    model_admin = EventAdmin(CaseEvent, admin.site)
    assert admin.ModelAdmin(CaseEvent, admin.site).has_add_permission(request)  # without it: allowed
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    inline = EventInline(CaseEvent, admin.site)
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request)
    assert not inline.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


@pytest.mark.parametrize("model", [CaseEvent, Entry, Claim, Snapshot, AuditLog, PrivacyRequest])
def test_the_service_written_rows_of_each_app_use_the_one_mixin(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyAdminMixin)
    request = _superuser_request()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_sms_outbox_keeps_its_one_write_the_requeue_action():
    model_admin = admin.site._registry[SmsMessage]
    request = _superuser_request()
    assert isinstance(model_admin, ReadOnlyAdminMixin)
    assert model_admin.has_change_permission(request)  # the list's requeue action
    assert not model_admin.has_change_permission(request, obj=SmsMessage())
    assert not model_admin.has_add_permission(request) and not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("name", ["田面社区 <b>&</b> \"工作室\"", "Plain office"])
def test_the_quick_action_checkbox_is_djangos_markup(name):
    """QuickActionCheckboxMixin writes the change list's checkbox without a widget template: the
    same HTML as Django's ModelAdmin.action_checkbox, names escaped once."""
    from liaison.lib.admin import QuickActionCheckboxMixin
    from offices.models import Office

    class QuickAdmin(QuickActionCheckboxMixin, admin.ModelAdmin):
        pass

    office = Office(pk=42, name=name)
    ours = QuickAdmin(Office, admin.site).action_checkbox(office)
    assert ours == admin.ModelAdmin(Office, admin.site).action_checkbox(office)
    assert "<b>" not in ours
