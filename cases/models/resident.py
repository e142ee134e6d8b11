"""What the resident hears and says (SPEC §3, [003] 公布/反馈, [000 九]).

ResidentMessage: one SMS to the reporter per step of their case (intake with the tracking code,
dispatch, the units' reply, feedback, closing). Its unique key (case, step, round) is what makes
"exactly once" hold, as ReceptionReminder does for deputies: the row and its outbox SmsMessage are
written in the transaction that moves the case, so a move that is rolled back sends nothing and a
step cannot be texted twice.

CaseRating: the resident's own rating of one round's answer. The invitation (an SMS carrying a
signed link) is the row; the nonce on it is the server-side state that makes the link single-use
and lets a later round's link differ. Where the resident gives no rating before the link expires,
a liaison or staff member who is not the case's owner records a phone follow-up 回访 on the same
row. Only these two sources feed Case.satisfaction, points item 3 and the units' 满意率.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Satisfaction, SatisfactionSource


def new_rating_nonce():
    return secrets.token_urlsafe(12)


class ResidentMessage(models.Model):
    class Step(models.TextChoices):
        INTAKE = "intake", _("Received (tracking code)")
        DISPATCH = "dispatch", _("Dispatched to units")
        REPLY = "reply", _("Units' reply")
        FEEDBACK = "feedback", _("Fed back")
        ARCHIVE = "archive", _("Closed")

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="resident_messages")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    # The dispatch round the step belongs to (0 before the first dispatch): a case dispatched again
    # after a dissatisfied resident tells the resident of the new round too.
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    sms = models.OneToOneField(
        "liaison.SmsMessage", verbose_name=_("SMS message"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="resident_message",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SMS to the resident")
        verbose_name_plural = _("SMS to residents")
        ordering = ["case", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "round"], name="resident_message_once_per_step"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.step} {self.round}"


class CaseRating(models.Model):
    Source = SatisfactionSource

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    nonce = models.CharField(max_length=32, default=new_rating_nonce, editable=False)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    # The link works until then; afterwards the rating is a follow-up's to record.
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("rated by"), max_length=10, choices=SatisfactionSource.choices[:2], blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # The follow-up: who recorded it (never the case's owner) and who was on the phone.
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    caller = models.CharField(_("who called"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("resident's rating")
        verbose_name_plural = _("residents' ratings")
        ordering = ["case", "round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="case_rating_once_per_round")]
        # Serves the list of follow-ups due: unrated invitations whose link has expired.
        indexes = [models.Index(fields=["rated_at", "expires_at"], name="case_rating_due")]

    def __str__(self):
        return f"{self.case_id} #{self.round}"

    @property
    def is_rated(self):
        return self.rated_at is not None
