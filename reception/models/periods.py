"""Reception rules, statutory holidays and reception periods 接待周 (SPEC §2, [000 四]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offices.models import Jurisdiction
from reception.panel_version import PeriodQuerySet

from .. import rules

# --- Reception periods 接待周 (SPEC §2, [000 四]) ------------------------------------------------


class ReceptionRule(models.Model):
    """How a district (or the city, as the default for districts without their own rule) lays out
    its reception periods. Seeds differ: [000] Shenzhen receives in the first two weeks of odd
    months, [002] Yantian asks for a monthly half-day, [001] one town receives on the 10th and 20th."""

    class Kind(models.TextChoices):
        ODD_MONTHS = "odd_months", _("Every odd month, from the first Monday")
        MONTHLY = "monthly", _("Every month, from the first Monday")
        FIXED_DAYS = "fixed_days", _("Fixed days of every month")

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.CASCADE,
        related_name="reception_rule",
        limit_choices_to={"level__in": ["city", "district", "new_district"]},
        help_text=_("A district, or the city (the default for districts without a rule of their own)."),
    )
    kind = models.CharField(_("rule"), max_length=12, choices=Kind.choices, default=rules.DEFAULT_RULE_KIND)
    length_days = models.PositiveSmallIntegerField(
        _("length in days"), default=rules.DEFAULT_PERIOD_LENGTH_DAYS, help_text=_("14 days = the first and second week [000 四].")
    )
    fixed_days = models.CharField(
        _("days of the month"),
        max_length=50,
        blank=True,
        help_text=_("For the fixed-days rule: comma-separated days, e.g. 10,20."),
    )
    history = HistoricalRecords(table_name="offices_historicalreceptionrule")

    class Meta:
        db_table = "offices_receptionrule"
        verbose_name = _("reception rule")
        verbose_name_plural = _("reception rules")

    def __str__(self):
        return f"{self.jurisdiction}: {self.get_kind_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.FIXED_DAYS:
            try:
                days = self.fixed_day_list()
            except ValueError:
                days = []
            if not days:
                raise ValidationError({"fixed_days": _("Give the days of the month as numbers 1–28, e.g. 10,20.")})
        if not 1 <= self.length_days <= rules.MAX_PERIOD_LENGTH_DAYS:
            raise ValidationError({"length_days": _("A period lasts 1 to 31 days.")})

    def fixed_day_list(self):
        days = sorted({int(part) for part in self.fixed_days.replace("，", ",").split(",") if part.strip()})
        if any(not 1 <= d <= rules.FIXED_DAY_MAX for d in days):
            raise ValueError(days)
        return days


class StatutoryHoliday(models.Model):
    """One day off under the State Council's holiday arrangement. Filled from the chinesecalendar
    package for the years it covers and by staff for the others (the package's data ends where the
    State Council's latest notice ends)."""

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinesecalendar package")
        STAFF = "staff", _("Entered by staff")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("holiday"), max_length=50)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.STAFF)

    class Meta:
        db_table = "offices_statutoryholiday"
        verbose_name = _("statutory holiday")
        verbose_name_plural = _("statutory holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class ReceptionPeriod(models.Model):
    """One reception period of a district: every serving deputy of the district spends at least half
    a day at their fixed community within [start, end] [000 四]. Generated from the district's rule;
    a row staff have moved is marked and never overwritten by regeneration."""

    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.CASCADE, related_name="reception_periods"
    )
    # Which slot of the rule produced the row ("2027-01", or "2027-01-10" for fixed days); it is
    # how regeneration finds the row again after staff moved its dates.
    key = models.CharField(_("rule slot"), max_length=20, editable=False)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    overlaps_holiday = models.BooleanField(_("overlaps a statutory holiday"), default=False, editable=False)
    holiday_names = models.CharField(_("holidays"), max_length=200, blank=True, editable=False)
    edited_by_staff = models.BooleanField(
        _("edited by staff"), default=False, help_text=_("Regeneration leaves edited periods alone.")
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    # Set once the period's escalation has run, so the daily job handles each ended period once.
    closed_at = models.DateTimeField(_("escalation computed at"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords(table_name="offices_historicalreceptionperiod")

    objects = PeriodQuerySet.as_manager()

    class Meta:
        db_table = "offices_receptionperiod"
        verbose_name = _("reception period")
        verbose_name_plural = _("reception periods")
        ordering = ["start", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="reception_period_unique_slot"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="reception_period_end_after_start"),
        ]
        indexes = [
            # Serves "the periods of this district around a date" (homes, activity → period lookup).
            models.Index(fields=["district", "start"], name="reception_period_district"),
            # Serves the reminder job and the daily escalation job, which look periods up by date.
            models.Index(fields=["start"], name="reception_period_start"),
            models.Index(fields=["end", "closed_at"], name="reception_period_end"),
        ]

    def __str__(self):
        return f"{self.district} {self.start:%Y-%m-%d}–{self.end:%m-%d}"

    def contains(self, day):
        return self.start <= day <= self.end
