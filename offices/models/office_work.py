"""The organization department's records about offices and deputies beyond the org chart
(SPEC §5): the yearly "five-good" office evaluation [000 十六] [004 第十六条], training courses and who
attended them [000 十八], and activity budgets with what was spent [001 第四篇] [004 第十三条 第十四条].

Imported by offices/models.py; foreign keys use strings so this module needs nothing from it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules


class OfficeEvaluation(models.Model):
    """One office's "five-good" 五好 evaluation for a year. The seeds name the five standards and
    the outcomes but no numbers: each standard is scored 0–20 (100 in all), a choice staff can
    read at a glance."""

    class Outcome(models.TextChoices):
        COMMENDED = "commended", _("Commended in a circular")
        CORRECT = "correct", _("To be corrected")
        CRITICIZED = "criticized", _("Criticized in a circular")
        CLOSED = "closed", _("Ordered closed")

    MAX_PER_STANDARD = rules.FIVE_GOOD_MAX_PER_STANDARD
    STANDARDS = ("construction", "rules", "management", "role", "residents")

    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.CASCADE, related_name="evaluations"
    )
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    construction = models.PositiveSmallIntegerField(
        _("well built"), validators=[MaxValueValidator(MAX_PER_STANDARD)]
    )
    rules = models.PositiveSmallIntegerField(
        _("sound rules"), validators=[MaxValueValidator(MAX_PER_STANDARD)]
    )
    management = models.PositiveSmallIntegerField(
        _("well run day to day"), validators=[MaxValueValidator(MAX_PER_STANDARD)]
    )
    role = models.PositiveSmallIntegerField(
        _("plays its role"), validators=[MaxValueValidator(MAX_PER_STANDARD)]
    )
    residents = models.PositiveSmallIntegerField(
        _("well rated by residents"), validators=[MaxValueValidator(MAX_PER_STANDARD)]
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+", editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("five-good office evaluation")
        verbose_name_plural = _("five-good office evaluations")
        ordering = ["-year", "office__name"]
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="office_evaluation_once_a_year")]

    def __str__(self):
        return f"{self.office} {self.year}"

    def save(self, *args, **kwargs):
        self.district_id = self.office.district_id
        super().save(*args, **kwargs)

    @property
    def total(self):
        return sum(getattr(self, name) for name in self.STANDARDS)


class TrainingCourse(models.Model):
    """A training course for deputies or liaisons. Every deputy takes part in at least one
    centralized course in each term [000 十八]; the deputy admin lists who has not."""

    title = models.CharField(_("title"), max_length=200)
    organizer = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("organized by"), on_delete=models.PROTECT, related_name="+",
        help_text=_("The city or the district that holds the course."),
    )
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    term = models.CharField(_("congress term"), max_length=30, help_text=_("e.g. 第七届"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_centralized = models.BooleanField(
        _("centralized training"), default=True, help_text=_("A centralized course counts for the once-a-term rule.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        "offices.Deputy", through="TrainingAttendance", related_name="training_courses", blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.district_id = self.organizer.district_id
        super().save(*args, **kwargs)


class TrainingAttendance(models.Model):
    course = models.ForeignKey(TrainingCourse, verbose_name=_("course"), on_delete=models.CASCADE)
    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        constraints = [models.UniqueConstraint(fields=["course", "deputy"], name="training_attendance_once")]

    def __str__(self):
        return f"{self.deputy} · {self.course}"


class Budget(models.Model):
    """A year's activity funds for one deputy or one team. [001] sets at least 800 yuan a deputy a
    year, spent only on deputies' activities, with what is left carried into the next year."""

    year = models.PositiveSmallIntegerField(_("year"))
    deputy = models.ForeignKey(
        "offices.Deputy", verbose_name=_("deputy"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="budgets",
    )
    team = models.ForeignKey(
        "offices.Team", verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True, related_name="budgets"
    )
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    amount = models.DecimalField(
        _("allocated (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    carried_over = models.DecimalField(
        _("carried over from last year (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity budget")
        verbose_name_plural = _("activity budgets")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deputy__isnull=False, team__isnull=True) | Q(deputy__isnull=True, team__isnull=False),
                name="budget_for_a_deputy_or_a_team",
            ),
            models.UniqueConstraint(fields=["year", "deputy"], name="budget_once_a_year_per_deputy"),
            models.UniqueConstraint(fields=["year", "team"], name="budget_once_a_year_per_team"),
        ]

    def __str__(self):
        return f"{self.deputy or self.team} {self.year}"

    def save(self, *args, **kwargs):
        self.district_id = self.deputy.district_id if self.deputy_id else self.team.district_id
        super().save(*args, **kwargs)


class Expense(models.Model):
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="expenses")
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    purpose = models.CharField(_("purpose"), max_length=200)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.purpose}"
