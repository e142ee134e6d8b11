"""Claimed items and their timelines."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.lib.append_only import AppendOnlyModel
from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.transitions import Transition, transition_table
from liaison.lib.uploads import DOCUMENT_TYPES, UploadValidator

from .rules import RuleItem


class Claim(ChoiceDisplayMixin, models.Model):
    """A claimed item [002 附件1 二]: the office records, org staff verify; only verified claims count."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting office confirmation")
        CONFIRMED = "confirmed", _("Confirmed by the office, awaiting verification")
        VERIFIED = "verified", _("Verified")
        REFUSED = "refused", _("Refused")

    # The one table of moves (who makes each: scoring.services.claim_actor_may).
    TRANSITIONS = transition_table(
        Transition("confirm", sources={Status.SUBMITTED}, target=Status.CONFIRMED),
        Transition("verify", sources={Status.CONFIRMED}, target=Status.VERIFIED),
        Transition("refuse", sources={Status.SUBMITTED, Status.CONFIRMED}, target=Status.REFUSED),
    )

    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    rule_item = models.ForeignKey(RuleItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("date of the activity"))
    quantity = models.PositiveSmallIntegerField(_("times"), default=1)
    description = models.TextField(_("description"))
    evidence = models.FileField(
        _("evidence (photo or PDF)"), upload_to="scoring/claims/%Y/", blank=True,
        validators=[UploadValidator(DOCUMENT_TYPES)],
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at"]
        indexes = [
            # Serves the liaison's and staff's queues.
            models.Index(fields=["status", "office"], name="claim_status_office"),
            # The claim list (scoring.views.claim_list), newest first: staff's list of every
            # claim, and of one status (city staff open on the confirmed claims). Read in this
            # order, a page is 30 index entries instead of sorting the city's 150,000 claims.
            models.Index(fields=["-created_at", "-id"], name="claim_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="claim_status_created"),
        ]

    def __str__(self):
        return f"{self.deputy} · {self.rule_item} · {self.occurred_on}"


class ClaimEvent(AppendOnlyModel):
    """One step of a claim's timeline (who confirmed, verified or refused it, when, why). Append-only,
    in bulk too, like the case and proposal timelines; the claim it belongs to is never deleted."""

    changed_message = _("Timeline entries cannot be changed.")
    deleted_message = _("Timeline entries cannot be deleted.")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.claim_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self):
        return Claim.Status(self.to_status).label
