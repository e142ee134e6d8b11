"""The append-only points ledger and the per-deputy yearly totals kept from it."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.lib.append_only import AppendOnlyModel

from .rules import RuleItem


class Entry(AppendOnlyModel):
    """One line of the append-only points ledger: a correction is a new reversing entry."""

    changed_message = _("Ledger entries cannot be changed; append a reversing entry instead.")
    deleted_message = _("Ledger entries cannot be deleted; append a reversing entry instead.")

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        REVERSAL = "reversal", _("Reversal")

    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    rule_item = models.ForeignKey(RuleItem, verbose_name=_("rule item"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AWARD)
    # Record events name the fact; claims and review corrections use "claim" / "review".
    event = models.CharField(_("event"), max_length=30)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    # The n-th award for the same (deputy, event, source): a record undone and done again awards again.
    seq = models.PositiveIntegerField(default=1)
    year = models.PositiveSmallIntegerField(_("year"))
    occurred_on = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    points = models.IntegerField(_("points"))
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # The idempotency key: recording the same fact twice (a retried task, two clicks, two
            # workers) hits this constraint instead of counting twice.
            models.UniqueConstraint(
                fields=["deputy", "event", "source_type", "source_id", "seq"],
                condition=Q(kind="award"),
                name="entry_award_once",
            ),
        ]
        indexes = [
            # Serves totals and standings: sum of points per deputy and item in a year.
            models.Index(fields=["year", "deputy", "rule_item"], name="entry_year_deputy_item"),
            # Serves the lookup of an award by its source.
            models.Index(fields=["source_type", "source_id"], name="entry_source"),
        ]
        permissions = [("can_review_points", "Can decide points reviews (复核)")]

    def __str__(self):
        return f"{self.deputy} {self.points:+d} · {self.rule_item}"



class DeputyYearTotal(models.Model):
    """A deputy's points of a year after the yearly caps: the ledger's aggregate, kept by the ledger
    service (scoring.services) in the transaction that appends each entry, so that one deputy's
    ranks compare one row per deputy instead of aggregating the city's ledger on every page.
    Totals still come from the ledger, never from a counter: each write recomputes the deputy's
    year from its entries, and `deputy_totals_rebuild` recomputes every row (after bulk loads)."""

    deputy = models.ForeignKey(
        "offices.Deputy", verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="year_totals"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("yearly points total")
        verbose_name_plural = _("yearly points totals")
        constraints = [models.UniqueConstraint(fields=["deputy", "year"], name="year_total_once")]
        indexes = [
            # Serves one deputy's city-wide rank: how many totals of the year are above theirs.
            models.Index(fields=["year", "total"], name="year_total_points"),
        ]

    def __str__(self):
        return f"{self.deputy} {self.year}: {self.total}"
