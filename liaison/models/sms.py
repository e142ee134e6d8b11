"""The SMS outbox."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..lib.validators import mask_mobile


class SmsMessage(models.Model):
    """One SMS to one phone number: the outbox row and its delivery record for every backend."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    phone = models.CharField(_("phone"), max_length=20)
    # Whose business the message is, for scoping the outbox: the recipient deputy's district or the
    # case's. Empty for messages to residents (one-time codes): only city staff see those.
    district = models.ForeignKey(
        "offices.Jurisdiction",
        verbose_name=_("district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    template = models.CharField(_("template"), max_length=50, help_text=_("Our template name, e.g. reception_reminder."))
    # Secret parameters (a one-time code) are shown as ****** here and in the text; their real
    # values live sealed in `secret` until delivery blanks it (liaison.lib.sms.secrets).
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    text = models.TextField(_("text"))
    secret = models.TextField(_("sealed secret parameters"), blank=True, editable=False)
    # Not sent after this time (a one-time code that has run out); empty: no limit.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    backend = models.CharField(_("backend"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    template_id = models.CharField(
        _("provider template id"), max_length=50, blank=True, help_text=_("The provider's id of the approved template.")
    )
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    provider_code = models.CharField(
        _("provider status code"), max_length=100, blank=True, help_text=_("The provider's answer, e.g. Ok or an error code.")
    )
    error = models.TextField(_("last error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not before this time: quiet hours and retry back-off move it forward.
    scheduled_at = models.DateTimeField(_("send after"), default=timezone.now)
    # Set while one run is delivering the row; a lease that expires if that worker dies.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at"]
        indexes = [
            # Serves the outbox's status filter, newest first.
            models.Index(fields=["status", "created_at"], name="sms_status_created"),
            # Serves the delivery job's claim of due queued rows.
            models.Index(fields=["status", "scheduled_at"], name="sms_status_due"),
            # Serves a district staff member's outbox, newest first.
            models.Index(fields=["district", "created_at"], name="sms_district_created"),
        ]

    def __str__(self):
        return f"{mask_mobile(self.phone)}: {self.text[:30]}"
