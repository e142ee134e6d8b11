"""Published standings (frozen quarterly snapshots) and deputies' annual reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """Quarterly published standings [002 附件1 三]: frozen rows, never recomputed."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The number of its rows (the deputies ranked city-wide), stored when it is published (the rows
    # never change afterwards): the "of N in the city" of a deputy's rank, without counting the
    # whole snapshot on each performance file page.
    deputies_ranked = models.PositiveIntegerField(_("deputies ranked"), default=0)

    class Meta:
        verbose_name = _("published standings")
        verbose_name_plural = _("published standings")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="snapshot_year_quarter")]

    def __str__(self):
        return f"{self.year} Q{self.quarter}"


class SnapshotRow(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows")
    deputy = models.ForeignKey("offices.Deputy", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("offices.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, null=True, related_name="+")
    deputy_name = models.CharField(max_length=50)
    total = models.IntegerField()
    # {category: points} and {"<number><variant>": points}, after caps.
    by_category = models.JSONField(default=dict)
    by_item = models.JSONField(default=dict)
    rank_city = models.PositiveIntegerField()
    rank_district = models.PositiveIntegerField()
    rank_office = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["rank_city", "deputy_name"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "deputy"], name="snapshotrow_deputy")]
        indexes = [
            # Serves the staff dashboard's top of the latest standings (reports.dashboard_selectors.
            # top_of_latest_standings): the city's first ranks of one snapshot, read, not sorted.
            models.Index(fields=["snapshot", "rank_city"], name="snaprow_city"),
            # Serves the district and office standings pages of one snapshot.
            models.Index(fields=["snapshot", "district", "rank_district"], name="snaprow_district"),
            models.Index(fields=["snapshot", "office", "rank_office"], name="snaprow_office"),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.deputy_name} {self.total}"


class AnnualReport(models.Model):
    """年度履职情况书面报告 [000 十二]: one per deputy and year, published inside the system."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    facts = models.JSONField(_("facts of the year"), default=dict)
    body = models.TextField(_("report"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "deputy"]
        constraints = [models.UniqueConstraint(fields=["deputy", "year"], name="annualreport_deputy_year")]

    def __str__(self):
        return f"{self.deputy} {self.year}"
