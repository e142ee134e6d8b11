"""The attendance's cache versions (liaison.lib.versions): bumped whenever an attendance row or a
reception period changes, so that read models cached over a period slot's attendance (the
attendance sheet's totals) are retired exactly when it changes.

One version per period slot (`ReceptionPeriod.key`): a write to one period retires only that slot's
results, so the sheet of a closed period stays cached while the current period is being logged.
The services name the slot they wrote (`attendance_changed`: attendance_recompute, period_close,
the periods' generation); saves and deletes that come from elsewhere (admin edits, cascades from
a deleted deputy or period) go through the receivers below, which bump the slot when the row's
period is at hand and otherwise `ANY_SLOT`, which every result depends on as well."""

from django.db.models.signals import post_delete, post_save

from liaison.lib.versions import version_bump

from .models import Attendance, ReceptionPeriod

ANY_SLOT = "reception:attendance"


def attendance_version(key):
    return f"reception:attendance:{key}"


def attendance_versions(key):
    """The versions a result computed over the slot `key`'s attendance depends on."""
    return (ANY_SLOT, attendance_version(key))


def attendance_changed(*keys):
    """Retire the cached results over the slots `keys` (the services' writes, bulk ones included)."""
    version_bump(*(attendance_version(key) for key in dict.fromkeys(keys)))


def _on_attendance(sender, instance, **kwargs):
    # The period is at hand when a service or the admin saved the row; a cascade fetches rows
    # without it, and looking each one's period up would cost a query per row.
    if Attendance.period.is_cached(instance):
        attendance_changed(instance.period.key)
    else:
        version_bump(ANY_SLOT)


def _on_period(sender, instance, **kwargs):
    attendance_changed(instance.key)


def connect():
    post_save.connect(_on_attendance, sender=Attendance, dispatch_uid="attendance-version-save")
    post_delete.connect(_on_attendance, sender=Attendance, dispatch_uid="attendance-version-delete")
    post_save.connect(_on_period, sender=ReceptionPeriod, dispatch_uid="attendance-version-period-save")
    post_delete.connect(_on_period, sender=ReceptionPeriod, dispatch_uid="attendance-version-period-delete")
