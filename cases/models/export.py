"""Background exports of the staff's case list: a row per request, with progress, so a big list
is written by a worker while the page shows how far it got (SPEC §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.models import ExportJobBase


class CaseExportJob(ExportJobBase):
    upload_dir = "cases/exports"

    # The list's filters as the form cleaned them (dates as ISO strings); the scope is not stored:
    # the job applies the requester's own scope when it runs.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    # Residents' phones and addresses in clear (for cases the requester handles); masked otherwise.
    personal_data = models.BooleanField(_("with residents' contact details"), default=False)

    class Meta(ExportJobBase.Meta):
        verbose_name = _("case list export")
        verbose_name_plural = _("case list exports")

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"
