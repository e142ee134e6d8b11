"""Admin pieces shared by the apps."""


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
