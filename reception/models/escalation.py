"""Escalations of deputies who missed receptions (SPEC §2, [000 十一]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.transitions import Transition, transition_table
from liaison.lib.uploads import UploadValidator
from offices.models import Deputy, Jurisdiction
from reception.panel_version import PanelQuerySet

from .. import rules


class Escalation(ChoiceDisplayMixin, models.Model):
    """One step of the escalation after a period [000 十一]: consecutive periods absent without
    reason and not made up → 1 make-up reminder, 2 written explanation owed, 3 proposal to advise
    resignation. One row per deputy and period, so the daily job is idempotent."""

    class Step(models.IntegerChoices):
        MAKE_UP = rules.ESCALATION_MAKE_UP, _("Make-up reminder")
        EXPLANATION = rules.ESCALATION_EXPLANATION, _("Written explanation owed")
        RESIGNATION = rules.ESCALATION_RESIGNATION, _("Proposal to advise resignation")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("escalation status", "Open")
        SUBMITTED = "submitted", _("Explanation submitted")
        RESOLVED = "resolved", _("Resolved")

    # The deputy may explain (again) until staff resolve the matter (liaison.lib.transitions); the
    # attendance recompute resolves open make-up reminders in bulk, the "resolve" move too.
    TRANSITIONS = transition_table(
        Transition("explain", sources={Status.OPEN, Status.SUBMITTED}, target=Status.SUBMITTED),
        Transition("resolve", sources={Status.OPEN, Status.SUBMITTED}, target=Status.RESOLVED),
    )

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="escalations")
    period = models.ForeignKey(
        "ReceptionPeriod", verbose_name=_("reception period"), on_delete=models.CASCADE, related_name="escalations"
    )
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    streak = models.PositiveSmallIntegerField(_("consecutive absences"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    # Empty: raised by the daily job.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    make_up_by = models.DateField(_("make up by"), null=True, blank=True)
    explanation = models.TextField(_("written explanation"), blank=True)
    explanation_file = models.FileField(
        _("explanation file"), upload_to="explanations/%Y/", blank=True, validators=[UploadValidator()]
    )
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("explained by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    history = HistoricalRecords(table_name="offices_historicalescalation")

    objects = PanelQuerySet.as_manager()

    class Meta:
        db_table = "offices_escalation"
        verbose_name = _("attendance escalation")
        verbose_name_plural = _("attendance escalations")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["deputy", "period"], name="escalation_one_per_period")]
        indexes = [
            # Serves the staff list "who owes what", filtered by district and status (its count).
            models.Index(fields=["district", "status", "step"], name="escalation_queue"),
            # Serves the staff list "who owes what" (escalation_list: newest first, a page of 50
            # read in index order instead of sorting the city's 57,000 open escalations).
            models.Index(fields=["created_at", "id"], name="escalation_list_order"),
        ]

    def __str__(self):
        return f"{self.deputy} · {self.period}: {self.get_step_display()}"
