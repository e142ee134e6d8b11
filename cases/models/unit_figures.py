"""Figures of the responsible units kept beside the shares they count (issue 10): the year-end
review's counts per unit and year, and the shares each unit still owes per deadline. At 400,000
shares the pages that show them could not aggregate the shares with their cases on every request
(1.5 s for the review, 0.5 s for the dashboard's panel).

They are aggregates, never counters of their own: cases.unit_figures_services adds to them the
difference a write made to the aggregation of the one case it wrote (the aggregation read before
and after the write, under the case's lock), and rebuilds them from every share after bulk loads.
tests/cases/test_unit_figures.py checks them against the aggregation after every kind of write."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitYearFigures(models.Model):
    """The year-end review's counts of one unit's shares dispatched in one year (Asia/Shanghai),
    as cases.review_selectors defines them."""

    unit = models.ForeignKey("offices.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="year_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    received = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    very = models.IntegerField(default=0)
    basic = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("unit's figures of a year")
        verbose_name_plural = _("units' figures of a year")
        constraints = [
            # Also serves the review page: one unit's row of the year (a join per unit).
            models.UniqueConstraint(fields=["unit", "year"], name="unit_year_figures_once"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.year}"


class UnitOpenShares(models.Model):
    """How many shares one unit still owes with one deadline (cases.deadline_selectors
    open_dispatch_q). Rows with none left are deleted. Overdue is a matter of the day, so it is
    not kept: the dashboard subtracts the shares not yet due (deadline today or later) from the
    unit's total."""

    unit = models.ForeignKey("offices.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    deadline = models.DateField(_("reply deadline"))
    shares = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("unit's open shares of a deadline")
        verbose_name_plural = _("units' open shares of a deadline")
        constraints = [
            # Also serves the dashboard: a unit's shares not yet due (unit, deadline >= today).
            models.UniqueConstraint(fields=["unit", "deadline"], name="unit_open_shares_once"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.deadline}: {self.shares}"


class UnitOpenTotal(models.Model):
    """How many shares one unit still owes, whatever their deadline (the sum of its
    UnitOpenShares rows, kept so that the dashboard reads one row per unit)."""

    unit = models.OneToOneField(
        "offices.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="open_total"
    )
    shares = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("unit's open shares")
        verbose_name_plural = _("units' open shares")

    def __str__(self):
        return f"{self.unit_id}: {self.shares}"
