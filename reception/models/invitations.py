"""Department-leader invitations to activities (SPEC §2, [004]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.lib.transitions import Transition, transition_table
from offices.models import Deputy, Jurisdiction

from .activities import Activity


class Invitation(models.Model):
    """A deputy's request that leaders of a named department join an activity, filed at least 5
    days before it; staff decide and record who comes [000 八]."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    # Decided once (liaison.lib.transitions).
    TRANSITIONS = transition_table(
        Transition("approve", sources={Status.PENDING}, target=Status.APPROVED),
        Transition("refuse", sources={Status.PENDING}, target=Status.REFUSED),
    )

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="invitations")
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="invitations")
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    department = models.CharField(_("department"), max_length=100)
    problem = models.TextField(_("the problem to solve"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision reason"), blank=True)
    attendees = models.CharField(_("who comes"), max_length=200, blank=True)
    history = HistoricalRecords(table_name="offices_historicalinvitation")

    class Meta:
        db_table = "offices_invitation"
        verbose_name = _("department-leader invitation")
        verbose_name_plural = _("department-leader invitations")
        ordering = ["-filed_at"]
        # The list of invitations (reception.activity_views._requests_page), newest first, read a page at
        # a time in an index's order instead of sorting every row (issue 10: 100 ms for city staff
        # at 10x): one district's staff by status (and the pending counts) or all of them; city
        # staff by status or all.
        indexes = [
            models.Index(fields=["status", "district", "-filed_at"], name="invitation_status_district"),
            models.Index(fields=["district", "-filed_at"], name="invitation_district_filed"),
            models.Index(fields=["status", "-filed_at"], name="invitation_status_filed"),
            models.Index(fields=["-filed_at"], name="invitation_filed"),
        ]

    def __str__(self):
        return f"{self.department} → {self.activity}"
