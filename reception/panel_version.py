"""Cache versions (liaison.lib.versions) for the deputy's home panel of receptions: its periods,
activities, attendance, leave requests and what the deputy owes. The panel is cached under them
(reception.activity_views.deputy_panel) and retired exactly when one of its rows changes (issue 10:
~12 ms of Python a home page for five short lists that change a few times a month).

- `deputy_version(pk)`: one deputy's own rows, bumped by every save and delete of their
  attendance, leave requests, escalations and activity places, and by a save of an activity they
  take part in or asked leave from (its date, slot, title or status);
- `ANY_DEPUTY`: every deputy's rows, bumped by the queryset writes that send no signal
  (`PanelQuerySet`: update, bulk_create, bulk_update), which may touch many deputies at once;
- `PERIODS`: the reception periods (dates and holidays), shown in every deputy's panel;
- offices.roster_version.OFFICES: the activities' office names.
"""

from django.db import models
from django.db.models.signals import post_delete, post_save

from liaison.lib.versions import version_bump
from offices.roster_version import OFFICES

ANY_DEPUTY = "reception:panel:deputies"
PERIODS = "reception:panel:periods"


def deputy_version(deputy_id):
    return f"reception:panel:deputy:{deputy_id}"


def panel_names(deputy):
    return (ANY_DEPUTY, PERIODS, OFFICES, deputy_version(deputy.pk))


class PanelQuerySet(models.QuerySet):
    """Writes without signals retire every deputy's panel."""

    # What such a write retires.
    bumps = ANY_DEPUTY

    def _bump(self):
        version_bump(self.bumps)

    def update(self, **kwargs):
        count = super().update(**kwargs)
        if count:
            self._bump()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        if objs:
            self._bump()
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if count:
            self._bump()
        return count


class PeriodQuerySet(PanelQuerySet):
    """Writes of periods without signals retire the periods shown in every deputy's panel."""

    bumps = PERIODS


def _deputy_row(sender, instance, **kwargs):
    version_bump(deputy_version(instance.deputy_id))


def _activity(sender, instance, created=False, raw=False, **kwargs):
    """An activity saved: the panels of its participants and of those who asked leave from it (a
    new activity has neither yet; a deleted one takes them along, each with its own signal)."""
    if created or raw:
        return
    deputies = instance.participants.order_by().values("deputy_id").union(
        instance.leave_requests.order_by().values("deputy_id")
    )
    ids = sorted({row["deputy_id"] for row in deputies})
    if ids:
        version_bump(*(deputy_version(pk) for pk in ids))


def _period(sender, **kwargs):
    version_bump(PERIODS)


def connect(*, activity, period, deputy_rows):
    """Called by ReceptionConfig.ready with the models (this module is imported by them):
    `deputy_rows`, the models of one deputy's rows (a `deputy` foreign key)."""
    Activity, ReceptionPeriod = activity, period  # noqa: N806
    for model in deputy_rows:
        post_save.connect(_deputy_row, sender=model, dispatch_uid=f"reception-panel-save-{model.__name__}")
        post_delete.connect(_deputy_row, sender=model, dispatch_uid=f"reception-panel-delete-{model.__name__}")
    post_save.connect(_activity, sender=Activity, dispatch_uid="reception-panel-activity")
    post_save.connect(_period, sender=ReceptionPeriod, dispatch_uid="reception-panel-period-save")
    post_delete.connect(_period, sender=ReceptionPeriod, dispatch_uid="reception-panel-period-delete")
