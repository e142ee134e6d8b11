"""Deputies' leave requests for reception periods and activities (SPEC §2, [003]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.transitions import Transition, transition_table
from offices.models import Deputy, Jurisdiction
from reception.panel_version import PanelQuerySet

from .activities import Activity


class LeaveRequest(ChoiceDisplayMixin, models.Model):
    """请假: filed by the deputy at least 5 days before the activity, decided by staff; the
    deputy's team is told [000 十一]."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    # Decided once (liaison.lib.transitions).
    TRANSITIONS = transition_table(
        Transition("approve", sources={Status.PENDING}, target=Status.APPROVED),
        Transition("refuse", sources={Status.PENDING}, target=Status.REFUSED),
    )

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="leave_requests")
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="leave_requests"
    )
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision reason"), blank=True)
    history = HistoricalRecords(table_name="offices_historicalleaverequest")

    objects = PanelQuerySet.as_manager()

    class Meta:
        db_table = "offices_leaverequest"
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-filed_at"]
        constraints = [
            # One live request per deputy and activity; a refused one may be filed again.
            models.UniqueConstraint(
                fields=["deputy", "activity"], condition=~Q(status="refused"), name="leave_one_live_per_activity"
            ),
        ]
        # The list of requests (reception.activity_views._requests_page), newest first, read a page at
        # a time in an index's order instead of sorting every row (issue 10: 100 ms for city staff
        # at 10x): one district's staff by status (and the pending counts) or all of them; city
        # staff by status or all.
        indexes = [
            models.Index(fields=["status", "district", "-filed_at"], name="leave_status_district"),
            models.Index(fields=["district", "-filed_at"], name="leave_district_filed"),
            models.Index(fields=["status", "-filed_at"], name="leave_status_filed"),
            models.Index(fields=["-filed_at"], name="leave_filed"),
        ]

    def __str__(self):
        return f"{self.deputy} · {self.activity}"
