"""Deputies' proposals 提议 and congress motions 提案 [002 6], [002 附件2 7-9], and inquiry events
询问、质询 [000 十], [002 8].

A proposal is filed by one deputy. A motion is led by one deputy and co-signed 联署 by others, each
of whom confirms their own signature before the lead files it. Once filed, either is dispatched by
staff to a responsible unit with a deadline, the unit replies, and the filing deputy evaluates the
reply; a dissatisfied evaluation may be dispatched again. The moves are in PROPOSAL_TRANSITIONS
(cases.proposal_services applies them) and each one appends a ProposalEvent that is never edited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.lib.append_only import AppendOnlyModel
from liaison.lib.choices import ChoiceDisplayMixin


class ProposalKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    MOTION = "motion", _("Congress motion")


class ProposalStatus(models.TextChoices):
    COSIGNING = "cosigning", _("Collecting co-signatures")
    FILED = "filed", _("Filed")
    DISPATCHED = "dispatched", _("Dispatched")
    REPLIED = "replied", _("Replied")
    EVALUATED = "evaluated", _("Evaluated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Evaluation(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class ProposalReplyResult(models.TextChoices):
    ADOPTED = "adopted", _("Adopted and solved")
    WILL_SOLVE = "will_solve", _("Will be solved by a date")
    REFERENCE = "reference", _("Kept for reference / cannot be solved now")


class Proposal(ChoiceDisplayMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), help_text=_("The problem, the reasons and the suggested measures."))
    lead = models.ForeignKey(
        "offices.Deputy", verbose_name=_("filed by / lead deputy"), on_delete=models.PROTECT, related_name="proposals"
    )
    # The lead deputy's district, denormalized: staff scopes filter on it.
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True,
        related_name="+", editable=False,
    )
    status = models.CharField(_("status"), max_length=12, choices=ProposalStatus.choices)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    # The first unit and the earliest deadline still owed of the current round, for lists and
    # exports; the units' shares themselves are ProposalDispatch rows.
    unit = models.ForeignKey(
        "offices.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposals",
    )
    deadline = models.DateField(_("reply deadline"), null=True, blank=True)
    dispatch_round = models.PositiveSmallIntegerField(_("dispatch round"), default=0)
    reply_result = models.CharField(
        _("reply result"), max_length=12, choices=ProposalReplyResult.choices, blank=True
    )
    reply = models.TextField(_("unit's reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    evaluation = models.CharField(_("evaluation"), max_length=12, choices=Evaluation.choices, blank=True)
    evaluation_note = models.TextField(_("evaluation note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cosigners = models.ManyToManyField(
        "offices.Deputy", through="ProposalCosigner", related_name="cosigned_proposals", blank=True
    )

    class Meta:
        verbose_name = _("proposal or motion")
        verbose_name_plural = _("proposals and motions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the staff list: a district's proposals by status.
            models.Index(fields=["district", "status"], name="proposal_district_status"),
            # Serves the unit inbox: a unit's proposals awaiting a reply.
            models.Index(fields=["unit", "status"], name="proposal_unit_status"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.lead_id and not self.district_id:
            self.district_id = self.lead.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("proposals:detail", args=[self.pk])

    @property
    def is_motion(self):
        return self.kind == ProposalKind.MOTION


class ProposalDispatch(models.Model):
    """One responsible unit's share of a proposal's dispatch, and that unit's reply [002 6]. Like a
    case, a proposal may go to several units; it is "replied" once every unit of the round has
    answered."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="dispatches"
    )
    unit = models.ForeignKey(
        "offices.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="proposal_dispatches"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    deadline = models.DateField(_("reply deadline"))
    instructions = models.TextField(_("instructions"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), auto_now_add=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dispatched by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=12, choices=ProposalReplyResult.choices, blank=True)
    reply = models.TextField(_("reply and reasons"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dispatch of a proposal to a unit")
        verbose_name_plural = _("dispatches of proposals to units")
        ordering = ["proposal", "round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "unit", "round"], name="proposal_dispatch_unique_unit_round"),
        ]
        indexes = [
            # Serves the unit's list and the overdue rule: a unit's shares still owed, by deadline.
            models.Index(fields=["unit", "replied_at"], name="pdispatch_unit_replied"),
            models.Index(fields=["replied_at", "deadline"], name="pdispatch_open_deadline"),
        ]

    def __str__(self):
        return f"{self.proposal} → {self.unit}"


class ProposalReminder(models.Model):
    """An overdue reminder of a unit's share of a proposal, once per share and deadline (the
    unique key makes the daily scan idempotent, as CaseReminder does for cases)."""

    dispatch = models.ForeignKey(
        ProposalDispatch, verbose_name=_("dispatch"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_on = models.DateField(_("deadline"))
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposal overdue reminder")
        verbose_name_plural = _("proposal overdue reminders")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["dispatch", "due_on"], name="proposal_reminder_once")]

    def __str__(self):
        return f"{self.dispatch} {self.due_on}"


class ProposalCosigner(models.Model):
    """A deputy invited to co-sign a motion, and their own answer."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="cosigner_links"
    )
    deputy = models.ForeignKey(
        "offices.Deputy", verbose_name=_("co-signer"), on_delete=models.PROTECT, related_name="cosign_links"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "deputy"], name="proposal_cosigner_unique")]
        # Serves a deputy's "co-sign requests" list.
        indexes = [models.Index(fields=["deputy", "status"], name="cosigner_deputy_status")]

    def __str__(self):
        return f"{self.proposal} · {self.deputy}"


class ProposalEvent(AppendOnlyModel):
    """One timeline entry of a proposal or motion. Append-only."""

    changed_message = _("Timeline entries cannot be changed.")
    deleted_message = _("Timeline entries cannot be deleted.")

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    actor_repr = models.CharField(_("by (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=12, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=ProposalStatus.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("proposal timeline entry")
        verbose_name_plural = _("proposal timeline")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.proposal_id} {self.from_status}→{self.to_status}"



class Inquiry(ChoiceDisplayMixin, models.Model):
    """询问、质询 [000 十]: deputies question a functional department on a hot issue; each event counts
    for every deputy who took part [002 附件2 10]."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry (询问)")
        INTERPELLATION = "interpellation", _("Interpellation (质询)")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    target_unit = models.ForeignKey(
        "offices.Unit", verbose_name=_("unit questioned"), on_delete=models.PROTECT, related_name="inquiries"
    )
    # The district whose organization department organized it; empty for a city-level event.
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    participants = models.ManyToManyField(
        "offices.Deputy", verbose_name=_("deputies taking part"), related_name="inquiries"
    )
    questions = models.TextField(_("questions raised"), blank=True)
    outcome = models.TextField(_("outcome notes"), blank=True, help_text=_("The unit's answers and commitments."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-date", "-id"]
        # Serves the staff list filtered by district and year.
        indexes = [models.Index(fields=["district", "date"], name="inquiry_district_date")]

    def __str__(self):
        return f"{self.date} {self.topic}"

    def save(self, *args, **kwargs):
        if self.target_unit_id:
            self.district_id = self.target_unit.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("proposals:inquiry_detail", args=[self.pk])
