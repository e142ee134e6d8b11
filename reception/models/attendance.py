"""Attendance at reception periods and activities (SPEC §2, [000 八]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.lib.choices import ChoiceDisplayMixin
from offices.models import Deputy
from reception.panel_version import PanelQuerySet

from .activities import Activity


class Attendance(ChoiceDisplayMixin, models.Model):
    """One outcome per deputy and reception period [000 十一]. Derived by the services from the
    facts (attended receptions, approved leave, make-up activities) and never typed in freely."""

    class Outcome(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        LEAVE = "leave", _("On approved leave")
        ABSENT = "absent", _("Absent without reason")
        MADE_UP = "made_up", _("Made up")

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="attendances")
    period = models.ForeignKey(
        "ReceptionPeriod", verbose_name=_("reception period"), on_delete=models.CASCADE, related_name="attendances"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The activity that decided the outcome: the reception attended, the leave's activity, the make-up.
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords(table_name="offices_historicalattendance")

    objects = PanelQuerySet.as_manager()

    class Meta:
        db_table = "offices_attendance"
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-period__start"]
        constraints = [models.UniqueConstraint(fields=["deputy", "period"], name="attendance_one_per_period")]
        # Serves the escalation streak count, the dashboard's attendance chart (outcomes per
        # period, from the index alone) and the attendance sheet's totals (the deputy too, so that
        # a slot's rows join their deputies from the index alone: attendance_selectors.
        # _district_totals).
        indexes = [models.Index(fields=["period", "outcome", "deputy"], name="attendance_period_outcome")]

    def __str__(self):
        return f"{self.deputy} · {self.period}: {self.get_outcome_display()}"
