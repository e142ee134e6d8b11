"""Performance points 履职积分 (SPEC §4, seed [002 附件1 附件2], [000 十二 十三 十四]).

A rule set is a versioned table of items; each district and year is bound to one set, otherwise
the default set applies. Points live in an append-only ledger: every entry links to its source (a
record of another app, a verified claim or an accepted review) and to the rule item it was scored
under, and freezes the points of that item at the time, so editing a rule set never changes points
already awarded. Corrections are reversing entries. Standings are aggregated from the ledger and
published quarterly as frozen snapshots.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.lib.append_only import AppendOnlyModel
from liaison.lib.transitions import Transition, transition_table
from liaison.lib.uploads import DOCUMENT_TYPES, UploadValidator
from liaison.models import ExportJobBase


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


class Entry(AppendOnlyModel):
    """One line of the append-only points ledger: a correction is a new reversing entry."""

    changed_message = _("Ledger entries cannot be changed; append a reversing entry instead.")
    deleted_message = _("Ledger entries cannot be deleted; append a reversing entry instead.")

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        REVERSAL = "reversal", _("Reversal")

    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    rule_item = models.ForeignKey(RuleItem, verbose_name=_("rule item"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AWARD)
    # Record events name the fact; claims and review corrections use "claim" / "review".
    event = models.CharField(_("event"), max_length=30)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    # The n-th award for the same (deputy, event, source): a record undone and done again awards again.
    seq = models.PositiveIntegerField(default=1)
    year = models.PositiveSmallIntegerField(_("year"))
    occurred_on = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    points = models.IntegerField(_("points"))
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # The idempotency key: recording the same fact twice (a retried task, two clicks, two
            # workers) hits this constraint instead of counting twice.
            models.UniqueConstraint(
                fields=["deputy", "event", "source_type", "source_id", "seq"],
                condition=Q(kind="award"),
                name="entry_award_once",
            ),
        ]
        indexes = [
            # Serves totals and standings: sum of points per deputy and item in a year.
            models.Index(fields=["year", "deputy", "rule_item"], name="entry_year_deputy_item"),
            # Serves the lookup of an award by its source.
            models.Index(fields=["source_type", "source_id"], name="entry_source"),
        ]
        permissions = [("can_review_points", "Can decide points reviews (复核)")]

    def __str__(self):
        return f"{self.deputy} {self.points:+d} · {self.rule_item}"



class DeputyYearTotal(models.Model):
    """A deputy's points of a year after the yearly caps: the ledger's aggregate, kept by the ledger
    service (scoring.services) in the transaction that appends each entry, so that one deputy's
    ranks compare one row per deputy instead of aggregating the city's ledger on every page.
    Totals still come from the ledger, never from a counter: each write recomputes the deputy's
    year from its entries, and `deputy_totals_rebuild` recomputes every row (after bulk loads)."""

    deputy = models.ForeignKey(
        "offices.Deputy", verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="year_totals"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("yearly points total")
        verbose_name_plural = _("yearly points totals")
        constraints = [models.UniqueConstraint(fields=["deputy", "year"], name="year_total_once")]
        indexes = [
            # Serves one deputy's city-wide rank: how many totals of the year are above theirs.
            models.Index(fields=["year", "total"], name="year_total_points"),
        ]

    def __str__(self):
        return f"{self.deputy} {self.year}: {self.total}"


class Claim(models.Model):
    """A claimed item [002 附件1 二]: the office records, org staff verify; only verified claims count."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting office confirmation")
        CONFIRMED = "confirmed", _("Confirmed by the office, awaiting verification")
        VERIFIED = "verified", _("Verified")
        REFUSED = "refused", _("Refused")

    # The one table of moves (who makes each: scoring.services.claim_actor_may).
    TRANSITIONS = transition_table(
        Transition("confirm", sources={Status.SUBMITTED}, target=Status.CONFIRMED),
        Transition("verify", sources={Status.CONFIRMED}, target=Status.VERIFIED),
        Transition("refuse", sources={Status.SUBMITTED, Status.CONFIRMED}, target=Status.REFUSED),
    )

    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    rule_item = models.ForeignKey(RuleItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("date of the activity"))
    quantity = models.PositiveSmallIntegerField(_("times"), default=1)
    description = models.TextField(_("description"))
    evidence = models.FileField(
        _("evidence (photo or PDF)"), upload_to="scoring/claims/%Y/", blank=True,
        validators=[UploadValidator(DOCUMENT_TYPES)],
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at"]
        indexes = [
            # Serves the liaison's and staff's queues.
            models.Index(fields=["status", "office"], name="claim_status_office"),
        ]

    def __str__(self):
        return f"{self.deputy} · {self.rule_item} · {self.occurred_on}"


class ClaimEvent(AppendOnlyModel):
    """One step of a claim's timeline (who confirmed, verified or refused it, when, why). Append-only,
    in bulk too, like the case and proposal timelines; the claim it belongs to is never deleted."""

    changed_message = _("Timeline entries cannot be changed.")
    deleted_message = _("Timeline entries cannot be deleted.")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.claim_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self):
        return Claim.Status(self.to_status).label


class Review(models.Model):
    """A deputy's request for a review 复核 of one ledger entry [002 附件1 四]."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="reviews")
    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason for the request"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    corrected_points = models.IntegerField(
        _("corrected points"), null=True, blank=True, help_text=_("When accepted: the points the entry should carry.")
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("points review")
        verbose_name_plural = _("points reviews")
        ordering = ["-requested_at"]
        constraints = [
            # One open review per entry at a time.
            models.UniqueConstraint(fields=["entry"], condition=Q(status="pending"), name="review_one_pending"),
        ]

    def __str__(self):
        return f"{self.deputy} · {self.entry.rule_item} ({self.get_status_display()})"


class Snapshot(models.Model):
    """Quarterly published standings [002 附件1 三]: frozen rows, never recomputed."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("published standings")
        verbose_name_plural = _("published standings")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="snapshot_year_quarter")]

    def __str__(self):
        return f"{self.year} Q{self.quarter}"


class SnapshotRow(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows")
    deputy = models.ForeignKey("offices.Deputy", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("offices.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, null=True, related_name="+")
    deputy_name = models.CharField(max_length=50)
    total = models.IntegerField()
    # {category: points} and {"<number><variant>": points}, after caps.
    by_category = models.JSONField(default=dict)
    by_item = models.JSONField(default=dict)
    rank_city = models.PositiveIntegerField()
    rank_district = models.PositiveIntegerField()
    rank_office = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["rank_city", "deputy_name"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "deputy"], name="snapshotrow_deputy")]
        indexes = [
            # Serves the district and office standings pages of one snapshot.
            models.Index(fields=["snapshot", "district", "rank_district"], name="snaprow_district"),
            models.Index(fields=["snapshot", "office", "rank_office"], name="snaprow_office"),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.deputy_name} {self.total}"


class AnnualReport(models.Model):
    """年度履职情况书面报告 [000 十二]: one per deputy and year, published inside the system."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    deputy = models.ForeignKey("offices.Deputy", verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    facts = models.JSONField(_("facts of the year"), default=dict)
    body = models.TextField(_("report"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "deputy"]
        constraints = [models.UniqueConstraint(fields=["deputy", "year"], name="annualreport_deputy_year")]

    def __str__(self):
        return f"{self.deputy} {self.year}"


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
