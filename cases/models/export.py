"""Background exports of the staff's case list: a row per request, with progress, so a big list
is written by a worker while the page shows how far it got (SPEC §6)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    # The list's filters as the form cleaned them (dates as ISO strings); the scope is not stored:
    # the job applies the requester's own scope when it runs.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # Residents' phones and addresses in clear (for cases the requester handles); masked otherwise.
    personal_data = models.BooleanField(_("with residents' contact details"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="cases/exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case list export")
        verbose_name_plural = _("case list exports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.done_rows / self.total_rows))
