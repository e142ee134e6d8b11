"""The SMS reminders a week before each reception period (SPEC §2, [000 十一]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from offices.models import Deputy

from .periods import ReceptionPeriod


class ReceptionReminder(models.Model):
    """The SMS reminder one deputy gets a week before one reception period [000 十一]. The unique
    (period, deputy) key is what makes "exactly once" hold: the SMS and the in-portal notice are
    written in the same transaction as this row, so a second run (or a run redelivered after its
    worker died) either finds the row or fails on the key and rolls its copies back."""

    period = models.ForeignKey(
        ReceptionPeriod, verbose_name=_("reception period"), on_delete=models.CASCADE, related_name="reminders"
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="reminders")
    sms = models.OneToOneField(
        "liaison.SmsMessage",
        verbose_name=_("SMS message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reception_reminder",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "offices_receptionreminder"
        verbose_name = _("reception reminder")
        verbose_name_plural = _("reception reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "deputy"], name="reception_reminder_once_per_deputy"),
        ]

    def __str__(self):
        return f"{self.period} · {self.deputy}"
