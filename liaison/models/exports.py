"""Background exports: the base every export job table shares, and the generic job."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.lib.choices import ChoiceDisplayMixin


def export_upload_to(instance, filename):
    return f"{instance.upload_dir}/{filename}"


class ExportJobBase(ChoiceDisplayMixin, models.Model):
    """What every background export job is: a row per request, claimed once by a worker
    (liaison.lib.exporters.export_job_run), with progress for the page that polls it, and a file
    only its requester may download. The case list and points exports keep their own tables
    (their filters are typed fields); every other export is a BackgroundExport."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    upload_dir = "exports"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.done_rows / self.total_rows))


class BackgroundExport(ExportJobBase):
    """One background export of any list: `exporter` names its builder in
    liaison.export_services.EXPORTERS, `params` holds the list's filters as the page read them.
    The requester's scope is not stored: the builder applies it again when the job runs."""

    exporter = models.CharField(_("export"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("filters"), default=dict, blank=True)

    class Meta(ExportJobBase.Meta):
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        indexes = [
            # "My exports": the requester's jobs, newest first.
            models.Index(fields=["requested_by", "-created_at"], name="liaison_export_mine_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.title
