"""Reviews 复核 of ledger entries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.lib.choices import ChoiceDisplayMixin

from .ledger import Entry


class Review(ChoiceDisplayMixin, models.Model):
    """A deputy's request for a review 复核 of one ledger entry [002 附件1 四]."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="reviews")
    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason for the request"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    corrected_points = models.IntegerField(
        _("corrected points"), null=True, blank=True, help_text=_("When accepted: the points the entry should carry.")
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("points review")
        verbose_name_plural = _("points reviews")
        ordering = ["-requested_at"]
        indexes = [
            # The admin's list of reviews (ordering -requested_at, then -id) reads its page of 100
            # from this index instead of joining every review to its entry and deputy, then sorting.
            models.Index(fields=["-requested_at", "-id"], name="review_requested"),
        ]
        constraints = [
            # One open review per entry at a time.
            models.UniqueConstraint(fields=["entry"], condition=Q(status="pending"), name="review_one_pending"),
        ]

    def __str__(self):
        return f"{self.deputy} · {self.entry.rule_item} ({self.get_status_display()})"
