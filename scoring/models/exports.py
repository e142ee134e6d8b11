"""Points export jobs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.models import ExportJobBase


class ExportJob(ExportJobBase):
    upload_dir = "scoring/exports"

    class Kind(models.TextChoices):
        STANDINGS = "standings", _("Standings with item breakdown")
        COMMENDATION = "commendation", _("Commendation list (outstanding deputies)")
        NOMINATION = "nomination", _("Nomination list for the next term")
        REVIEWS = "reviews", _("Review log")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta(ExportJobBase.Meta):
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"
