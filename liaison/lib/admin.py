"""Admin pieces shared by the apps."""

from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class ReadOnlyAdminMixin:
    """For rows written only by services (a timeline, a ledger, an audit log): the admin lists and
    shows them and adds, changes and deletes nothing. Works on a ModelAdmin and on an inline (whose
    has_add_permission takes the parent object); put it first among the bases so that it wins."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuickActionCheckboxMixin:
    """A change list's action checkbox written with format_html: the same markup as Django's
    ModelAdmin.action_checkbox, without a widget template rendered for each of the page's 100
    rows (a quarter of a change list's time at city scale, issue 10; tested against Django's)."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label,
        )
