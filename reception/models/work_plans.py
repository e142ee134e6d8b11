"""An office's yearly work plan 工作室年度工作计划 (SPEC §5): the liaison draws it up [004 第十二条(五)];
it fixes the weekly opening (at least once a week, at least half a day each time) and the year's
activities, and is published at least a week ahead [004 第十条].

The tables keep their offices_ names: the models moved here from offices (issue 13).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.transitions import Transition, transition_table

from .. import rules
from .activities import Activity

# The half-days of a week an office can open: "1-am" is Monday morning … "7-pm" Sunday afternoon.
# The labels reuse Django's translated weekday names and the activities' half-day names.
HALF_DAYS = (("am", _("Morning")), ("pm", _("Afternoon")))
OPENING_CHOICES = [
    (f"{day}-{slot}", format_lazy("{} {}", WEEKDAYS[day - 1], label)) for day in range(1, 8) for slot, label in HALF_DAYS
]
OPENING_CODES = [code for code, _label in OPENING_CHOICES]


def validate_weekly_opening(codes):
    """[004 第十条]: the office opens at least once a week, at least half a day each time. Each code
    is one half-day of the week, so one code meets both halves of the rule."""
    if not isinstance(codes, list) or any(code not in OPENING_CODES for code in codes):
        raise ValidationError(_("Pick the half-days of the week from the list."), code="invalid")
    if not codes:
        raise ValidationError(
            _("The office must open at least once a week, for at least half a day."), code="too_little"
        )


def activity_kinds():
    """The activities' kinds (Activity.Kind): a work plan item plans one of them."""
    return Activity.Kind.choices


def planning_year(today):
    """The year whose plan is being prepared: next year from October on (it is due by 24 December),
    this year before."""
    return today.year + 1 if today.month >= 10 else today.year


def publication_deadline(year):
    """A plan for `year` is published at least a week before the year starts [004 第十条]: by 24 December."""
    return datetime.date(year, 1, 1) - datetime.timedelta(days=rules.WORK_PLAN_DAYS_BEFORE_YEAR)


class WorkPlan(models.Model):
    """One office's plan for one year. A draft is visible to the office's liaisons and to staff;
    publishing shows it to the office's deputies and on the public office page.

    A published plan stays published: the liaison may revise it during the year (activities move,
    a deputy leaves), and saving a revision publishes it at once with a reason, bumping `revision`.
    The public never sees a plan go back to draft, and simple-history keeps every earlier version
    with who changed it. Lateness is judged on the first publication, so a timely plan revised in
    June is not "published late"."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # Published once; a revision of a published plan is published at once (liaison.lib.transitions).
    TRANSITIONS = transition_table(Transition("publish", sources={Status.DRAFT}, target=Status.PUBLISHED))

    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.CASCADE, related_name="work_plans"
    )
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    goals = models.TextField(_("goals for the year"), blank=True)
    opening = models.JSONField(
        _("weekly opening"), default=list, validators=[validate_weekly_opening],
        help_text=_("The half-days of each week the office is open: at least one."),
    )
    opening_notes = models.CharField(
        _("opening notes"), max_length=200, blank=True, help_text=_("e.g. 9:00–12:00, closed on public holidays.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True, editable=False)
    published_late = models.BooleanField(_("published late"), default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=0, editable=False)
    revision_note = models.CharField(_("reason for the latest revision"), max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn up by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(table_name="offices_historicalworkplan")

    class Meta:
        db_table = "offices_workplan"
        verbose_name = _("yearly work plan")
        verbose_name_plural = _("yearly work plans")
        ordering = ["-year", "office__name"]
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="work_plan_once_a_year")]
        indexes = [
            # Serves the staff status list: one district's plans for a year.
            models.Index(fields=["district", "year"], name="work_plan_district_year"),
        ]

    def __str__(self):
        return f"{self.office} {self.year}"

    def save(self, *args, **kwargs):
        self.district_id = self.office.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reception:work_plan_detail", args=[self.pk])

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def deadline(self):
        return publication_deadline(self.year)

    def is_late_at(self, when):
        return timezone.localtime(when).date() > self.deadline

    def opening_labels(self):
        labels = dict(OPENING_CHOICES)
        return [labels[code] for code in OPENING_CODES if code in self.opening]


class WorkPlanItem(ChoiceDisplayMixin, models.Model):
    """One planned activity of the year, by month. Its kinds are the activities' kinds, so the plan
    page can set it next to what was held."""

    plan = models.ForeignKey(WorkPlan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    kind = models.CharField(_("kind"), max_length=20, choices=activity_kinds)
    title = models.CharField(_("title"), max_length=100)
    place = models.CharField(_("place"), max_length=200, blank=True)
    deputies = models.ManyToManyField(
        "offices.Deputy", verbose_name=_("deputies taking part"), related_name="work_plan_items", blank=True
    )
    participants = models.CharField(
        _("other participants"), max_length=200, blank=True, help_text=_("e.g. community residents, unit staff.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(table_name="offices_historicalworkplanitem")

    class Meta:
        db_table = "offices_workplanitem"
        verbose_name = _("work plan item")
        verbose_name_plural = _("work plan items")
        ordering = ["month", "pk"]

    def __str__(self):
        return f"{self.month} · {self.title}"
