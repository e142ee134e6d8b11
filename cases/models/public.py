"""What the public online office 网络党代表工作室 adds to a case submitted by a resident: whether it
was an appointment or a written opinion, the reception it was booked for, and which version of
the personal-information notice the resident acknowledged (cases.privacy_notice)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.work_plans import HALF_DAYS


class PublicSubmission(models.Model):
    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", _("Appointment for a reception")
        OPINION = "opinion", _("Written opinion")

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="public_submission"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The reception the resident booked: the district's reception period and the day they chose.
    reception_period = models.ForeignKey(
        "reception.ReceptionPeriod", verbose_name=_("reception period"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    preferred_date = models.DateField(_("preferred day"), null=True, blank=True)
    # Morning or afternoon of that day: one of the office's open half-days (reception.opening_selectors).
    preferred_half = models.CharField(_("preferred half-day"), max_length=2, choices=HALF_DAYS, blank=True)
    # The deputy the resident wrote to: preselected by a deputy's QR poster (码上见代表), or chosen.
    deputy = models.ForeignKey(
        "offices.Deputy", verbose_name=_("deputy addressed"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # Where the problem is, in the resident's words (e.g. "东和路8号路口").
    location = models.CharField(_("location"), max_length=200, blank=True)
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    acknowledged_at = models.DateTimeField(_("notice acknowledged at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("online submission")
        verbose_name_plural = _("online submissions")
        ordering = ["-created_at"]
        # Serves the liaisons' list of upcoming appointments.
        indexes = [models.Index(fields=["kind", "preferred_date"], name="public_sub_kind_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id}"
