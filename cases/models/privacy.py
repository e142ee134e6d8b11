"""Residents' requests about their personal information (PIPL arts. 44–47), kept with the cases
they act on (cases.privacy_services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivacyRequest(models.Model):
    """A resident's request to exercise their PIPL rights (个人信息保护法 arts. 44–47): see, correct
    or delete the personal information they gave us. Each request is kept as the record of who
    asked (the phone, as a keyed digest and masked), when, what, and how it ended.

    The phone is never stored in clear here: after a deletion the record must not be the one place
    that still holds the number. The one-time code is stored as a keyed digest too."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("See my personal information")
        CORRECT = "correct", _("Correct my personal information")
        DELETE = "delete", _("Delete my personal information")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the code")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    phone_digest = models.CharField(_("phone digest"), max_length=64, db_index=True)
    phone_masked = models.CharField(_("phone (masked)"), max_length=20)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Correction and deletion ride on the verified access request of the same visit.
    verified_by = models.ForeignKey(
        "self", verbose_name=_("verified by request"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="follow_ups",
    )
    code_digest = models.CharField(_("code digest"), max_length=64, blank=True)
    code_expires_at = models.DateTimeField(_("code expires at"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    case_count = models.PositiveIntegerField(_("cases concerned"), default=0)
    # What was done, without personal values: tracking codes, the names of corrected fields.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal information request")
        verbose_name_plural = _("personal information requests")
        # Created by the liaison app; moved here with its table (migrations liaison 0010, cases 0013).
        db_table = "liaison_privacyrequest"
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the admin list of open requests, newest first.
            models.Index(fields=["status", "created_at"], name="privacy_req_status_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.phone_masked} {self.created_at:%Y-%m-%d %H:%M}"
