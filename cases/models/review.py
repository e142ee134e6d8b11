"""The year-end review published as a bulletin 通报 [000 七]: the staff page of the responsible
units' figures (cases.review_selectors) frozen at the moment of publication, so every reader sees
the same numbers the bulletin was issued with, whatever happens to the cases afterwards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.lib.append_only import AppendOnlyModel

CITY_SCOPE = "city"


class ReviewBulletin(AppendOnlyModel):
    """One published bulletin for a year and a scope (the whole city, or one district's units).
    Never changed or deleted once published: a correction is a new revision of the same year and
    scope, and the list says which one is the latest."""

    changed_message = _("A published bulletin cannot be changed: publish a revision instead.")
    deleted_message = _("A published bulletin cannot be deleted.")

    year = models.PositiveSmallIntegerField(_("year"))
    # Empty for a city-wide bulletin, which every portal user may read; otherwise one district's.
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    # "city" or the district's id: one key for the unique revision number (NULLs never collide).
    scope = models.CharField(_("scope"), max_length=20, editable=False)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    title = models.CharField(_("title"), max_length=200)
    foreword = models.TextField(_("foreword"), blank=True)
    # The units' figures as cases.review_selectors.UnitReview fields, in the published order.
    rows = models.JSONField(_("figures per unit"), default=list)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("year-end review bulletin")
        verbose_name_plural = _("year-end review bulletins")
        ordering = ["-year", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "scope", "revision"], name="review_bulletin_revision_once"),
        ]
        indexes = [models.Index(fields=["district", "year"], name="review_bulletin_district_year")]

    def __str__(self):
        return self.title
