"""Rule sets: versioned tables of points items, and which set scores a district in a year."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecordEvent(models.TextChoices):
    """Facts other apps report through `points_record_event`; a rule item maps one of them to points."""

    RECEPTION_ATTENDED = "reception_attended", _("Attended a reception at the office")
    CASE_RECEIVED = "case_received", _("Received a public-opinion case")
    CASE_TAKEN = "case_taken", _("Took up a resident's appeal")
    CASE_SATISFIED_VERY = "case_satisfied_very", _("Appeal solved, resident very satisfied")
    CASE_SATISFIED_BASIC = "case_satisfied_basic", _("Appeal solved, resident basically satisfied")
    PROPOSAL = "proposal", _("Submitted a proposal")
    MOTION_LEAD = "motion_lead", _("Led a congress motion")
    MOTION_COSIGN = "motion_cosign", _("Co-signed a congress motion")
    INQUIRY = "inquiry", _("Took part in an inquiry")
    HOUSEHOLD_VISIT = "household_visit", _("Visited households")
    TEAM_ACTIVITY = "team_activity", _("Took part in a team activity")


class RuleSet(models.Model):
    """One version of a points standard. A published version is frozen: a change makes a new version."""

    code = models.SlugField(_("code"), max_length=40, help_text=_("Stable name shared by all versions, e.g. yantian."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source document"), max_length=200, blank=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Applies to every district and year without a binding.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="ruleset_code_version"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="ruleset_one_default"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_published(self):
        return self.published_at is not None


class Category(models.TextChoices):
    # The four categories of the Yantian standard [002 附件2]; the Shenzhen 2013 set uses the same.
    SERVICE = "service", _("Serving and contacting the people")
    DELIBERATION = "deliberation", _("Deliberating party affairs")
    SUPERVISION = "supervision", _("Democratic supervision")
    EXAMPLE = "example", _("Setting an example")


class RuleItem(models.Model):
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    number = models.PositiveSmallIntegerField(_("item number"))
    # Item 3 of the Yantian standard scores 6 or 5 depending on satisfaction: two rows, one number.
    variant = models.CharField(_("variant"), max_length=40, blank=True)
    name = models.CharField(_("item"), max_length=200)
    points = models.SmallIntegerField(_("points per unit"))
    cap_per_year = models.PositiveSmallIntegerField(_("cap per year"), null=True, blank=True)
    event = models.CharField(
        _("computed from record"),
        max_length=30,
        choices=RecordEvent.choices,
        blank=True,
        help_text=_("Empty: the item is claimed by the deputy or entered by the liaison, then verified."),
    )

    class Meta:
        verbose_name = _("rule item")
        verbose_name_plural = _("rule items")
        ordering = ["rule_set", "number", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number", "variant"], name="ruleitem_number"),
            # One item per record event in a set, so a record maps to exactly one item.
            models.UniqueConstraint(fields=["rule_set", "event"], condition=~Q(event=""), name="ruleitem_event"),
        ]

    def __str__(self):
        label = f"{self.number}. {self.name}"
        return f"{label}（{self.variant}）" if self.variant else label

    @property
    def is_claimed(self):
        return not self.event


class RuleSetBinding(models.Model):
    """Which rule set scores a district's deputies in a year."""

    jurisdiction = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="bindings")

    class Meta:
        verbose_name = _("rule-set binding")
        verbose_name_plural = _("rule-set bindings")
        ordering = ["-year", "jurisdiction"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="binding_district_year")]

    def __str__(self):
        return f"{self.jurisdiction} {self.year}: {self.rule_set}"
