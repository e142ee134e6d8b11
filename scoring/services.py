"""Writes to the points ledger, rule sets, claims, reviews, snapshots and annual reports.

Other apps call `points_record_event` when a record reaches its qualifying state and
`points_revoke_event` when it is undone. Both are idempotent, also under concurrent calls: the
ledger's unique key (deputy, event, source, seq) lets only one award through, and a reversal links
its award one-to-one.
"""

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.exporters import export_job_run as run_export_job
from liaison.lib.permissions import actor_require
from liaison.lib.transitions import check_transition
from liaison.lib.uploads import DOCUMENT_TYPES, validate_upload
from liaison.lib.versions import version_bump
from liaison.models import Role
from liaison.services import notice_send
from offices.models import TeamMembership
from offices.selectors import liaison_office_ids

from . import rules
from .exporters import exporter_for
from .models import (
    AnnualReport,
    Claim,
    ClaimEvent,
    DeputyYearTotal,
    Entry,
    ExportJob,
    RecordEvent,
    Review,
    RuleItem,
    RuleSet,
    RuleSetBinding,
    Snapshot,
    SnapshotRow,
)
from .selectors import (
    annual_report_facts,
    capped_deputy_totals,
    claims_visible_to,
    reviews_visible_to,
    staff_can_review,
    standings_compute,
    totals_version,
)

# ---------------------------------------------------------------- rule sets


def rule_set_for(*, district_id, year):
    """The rule set bound to a district and year, else the default set (None if there is none)."""
    binding = (
        RuleSetBinding.objects.filter(jurisdiction_id=district_id, year=year).select_related("rule_set").first()
        if district_id
        else None
    )
    if binding is not None:
        return binding.rule_set
    return RuleSet.objects.filter(is_default=True).first()


def rule_item_for_event(*, deputy, event, year):
    rule_set = rule_set_for(district_id=deputy.district_id, year=year)
    if rule_set is None:
        return None
    return rule_set.items.filter(event=event).first()


def _check_rule_set_actor(actor):
    """Rule sets are the city's to change; actor None is the system itself (data migrations)."""
    if actor is not None:
        actor_require(actor.is_superuser or (actor.role == Role.ORG_STAFF and actor.is_city_staff))


@transaction.atomic
def ruleset_new_version(*, rule_set, actor=None):
    """Copy a rule set into a new unpublished version. A published set is never edited in place, so
    points already awarded and published stay as they were."""
    _check_rule_set_actor(actor)
    latest = RuleSet.objects.filter(code=rule_set.code).order_by("-version").first()
    copy = RuleSet.objects.create(
        code=rule_set.code,
        version=latest.version + 1,
        name=rule_set.name,
        source=rule_set.source,
        based_on=rule_set,
    )
    RuleItem.objects.bulk_create(
        [
            RuleItem(
                rule_set=copy,
                category=i.category,
                number=i.number,
                variant=i.variant,
                name=i.name,
                points=i.points,
                cap_per_year=i.cap_per_year,
                event=i.event,
            )
            for i in rule_set.items.all()
        ]
    )
    return copy


@transaction.atomic
def ruleset_publish(*, rule_set, make_default=False, actor=None):
    _check_rule_set_actor(actor)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.is_published:
        raise ValidationError(_("This rule set is already published."), code="already_published")
    if not rule_set.items.exists():
        raise ValidationError(_("A rule set needs at least one item."), code="empty")
    rule_set.published_at = timezone.now()
    fields = ["published_at"]
    if make_default:
        RuleSet.objects.filter(is_default=True).update(is_default=False)
        rule_set.is_default = True
        fields.append("is_default")
    rule_set.save(update_fields=fields)
    return rule_set


def ruleset_bind(*, jurisdiction, year, rule_set, actor=None):
    if actor is not None:
        # A district chooses the set its own deputies are scored under; the city any district's.
        actor_require(
            actor.is_superuser
            or (actor.role == Role.ORG_STAFF and actor.staff_district_id in (None, jurisdiction.district_id))
        )
    if not rule_set.is_published:
        raise ValidationError(_("Only a published rule set can be bound."), code="unpublished")
    binding, _created = RuleSetBinding.objects.update_or_create(
        jurisdiction=jurisdiction, year=year, defaults={"rule_set": rule_set}
    )
    return binding


# ---------------------------------------------------------------- the ledger


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _latest_award(*, deputy, event, source_type, source_id):
    return (
        Entry.objects.filter(
            kind=Entry.Kind.AWARD, deputy=deputy, event=event, source_type=source_type, source_id=source_id
        )
        .order_by("-seq")
        .first()
    )


def _is_reversed(entry):
    return Entry.objects.filter(reverses=entry).exists()


def _year_total_refresh(*, deputy_id, year):
    """Recompute the deputy's kept total of the year (DeputyYearTotal) from the ledger, in the
    transaction that appended the entry. The row is locked before the ledger is read: a second
    award to the same deputy at the same time waits, then reads the ledger with the first one's
    entry committed, so neither write can leave a total that misses the other's entry."""
    with transaction.atomic():
        DeputyYearTotal.objects.bulk_create([DeputyYearTotal(deputy_id=deputy_id, year=year)], ignore_conflicts=True)
        row = DeputyYearTotal.objects.select_for_update().get(deputy_id=deputy_id, year=year)
        total = capped_deputy_totals(year=year, deputy_ids=[deputy_id]).get(deputy_id, 0)
        if row.total != total:
            DeputyYearTotal.objects.filter(pk=row.pk).update(total=total)
            # The cached live standings of the year read the kept totals: retire them.
            version_bump(totals_version(year))


def _award(*, deputy, rule_item, event, source, occurred_on, quantity=1, points=None, actor=None, reason=""):
    """Insert an award unless an unreversed one exists for the same (deputy, event, source)."""
    source_type = ContentType.objects.get_for_model(source)
    occurred_on = _as_date(occurred_on)
    for _attempt in range(3):
        last = _latest_award(deputy=deputy, event=event, source_type=source_type, source_id=source.pk)
        if last is not None and not _is_reversed(last):
            return last
        try:
            # A savepoint, so that losing the race leaves the caller's transaction usable.
            with transaction.atomic():
                entry = Entry.objects.create(
                    deputy=deputy,
                    rule_item=rule_item,
                    kind=Entry.Kind.AWARD,
                    event=event,
                    source_type=source_type,
                    source_id=source.pk,
                    seq=(last.seq + 1) if last else 1,
                    year=occurred_on.year,
                    occurred_on=occurred_on,
                    quantity=quantity,
                    points=rule_item.points * quantity if points is None else points,
                    reason=reason,
                    created_by=actor,
                )
                _year_total_refresh(deputy_id=entry.deputy_id, year=entry.year)
                return entry
        except IntegrityError:
            # Another call inserted the same award first; loop to return it. Any other integrity
            # failure (no row appeared) is a real error and must not pass as "already awarded".
            if _latest_award(deputy=deputy, event=event, source_type=source_type, source_id=source.pk) == last:
                raise
            continue
    return _latest_award(deputy=deputy, event=event, source_type=source_type, source_id=source.pk)


def entry_reverse(*, entry, reason, actor=None):
    """Append the reversing entry of an award, once. Returns it, or None if already reversed."""
    if entry.kind != Entry.Kind.AWARD:
        raise ValidationError(_("Only an award can be reversed."), code="not_award")
    try:
        with transaction.atomic():
            reversal = Entry.objects.create(
                deputy_id=entry.deputy_id,
                rule_item_id=entry.rule_item_id,
                kind=Entry.Kind.REVERSAL,
                event=entry.event,
                source_type_id=entry.source_type_id,
                source_id=entry.source_id,
                seq=entry.seq,
                year=entry.year,
                occurred_on=entry.occurred_on,
                quantity=entry.quantity,
                points=-entry.points,
                reverses=entry,
                reason=str(reason)[:500],
                created_by=actor,
            )
            _year_total_refresh(deputy_id=reversal.deputy_id, year=reversal.year)
            return reversal
    except IntegrityError:
        return None


def points_record_event(*, deputy, event: str, source, occurred_on: date, quantity: int = 1, actor=None):
    """Award the points of the applicable rule set for a record that reached its qualifying state.

    Idempotent: a second call for the same (deputy, event, source) returns the existing award. After
    a revoke, a new call awards again. Returns the entry, or None when the rule set has no item for
    the event (or the quantity is zero).
    """
    event = RecordEvent(event)
    occurred_on = _as_date(occurred_on)
    if quantity < 1:
        return None
    rule_item = rule_item_for_event(deputy=deputy, event=event, year=occurred_on.year)
    if rule_item is None:
        return None
    return _award(
        deputy=deputy, rule_item=rule_item, event=event, source=source, occurred_on=occurred_on,
        quantity=quantity, actor=actor,
    )


def points_revoke_event(*, deputy, event: str, source, reason: str, actor=None):
    """Reverse the award of a record that was undone. Idempotent; returns the reversal or None."""
    event = RecordEvent(event)
    source_type = ContentType.objects.get_for_model(source)
    last = _latest_award(deputy=deputy, event=event, source_type=source_type, source_id=source.pk)
    if last is None:
        return None
    return entry_reverse(entry=last, reason=reason, actor=actor)


# ---------------------------------------------------------------- claims


def _claim_event(claim, actor, from_status, note=""):
    ClaimEvent.objects.create(claim=claim, actor=actor, from_status=from_status, to_status=claim.status, note=note)


def _deputy_office(deputy):
    link = TeamMembership.objects.filter(deputy=deputy).select_related("team").order_by("team_id").first()
    return link.team.office if link else None


@transaction.atomic
def claim_submit(*, deputy, rule_item, occurred_on, description, actor, evidence=None, quantity=1, office=None):
    """A deputy claims an item without a record, or the office's liaison enters it for the deputy
    [002 附件1 二]. A liaison's entry counts as recorded by the office, so it waits only for org
    staff's verification."""
    if actor.role == Role.LIAISON:
        # The office that records the claim is the liaison's, and the deputy serves in it.
        offices = [office.pk] if office is not None else liaison_office_ids(actor)
        actor_require(
            set(offices) <= set(liaison_office_ids(actor))
            and deputy.memberships.filter(team__office_id__in=offices).exists(),
            _("You record claims for the deputies of your own office."),
        )
    else:
        actor_require(
            actor.role == Role.DEPUTY and deputy.user_id == actor.pk, _("A deputy claims points for themself only.")
        )
    if not rule_item.is_claimed:
        raise ValidationError(_("This item is scored from records and cannot be claimed."), code="not_claimable")
    expected = rule_set_for(district_id=deputy.district_id, year=occurred_on.year)
    if expected is None or rule_item.rule_set_id != expected.pk:
        raise ValidationError(
            _("This item is not in the rule set that applies to %(year)s.") % {"year": occurred_on.year},
            code="wrong_rule_set",
        )
    if occurred_on > timezone.localdate():
        raise ValidationError(_("The date of the activity cannot be in the future."), code="future")
    if not description.strip():
        raise ValidationError(_("Describe the activity."), code="no_description")
    office = office or _deputy_office(deputy)
    status = Claim.Status.CONFIRMED if actor.role == Role.LIAISON else Claim.Status.SUBMITTED
    claim = Claim(
        deputy=deputy,
        office=office,
        rule_item=rule_item,
        occurred_on=occurred_on,
        quantity=quantity,
        description=description,
        status=status,
        entered_by=actor,
    )
    if evidence:
        validate_upload(evidence, allowed=DOCUMENT_TYPES)
        claim.evidence = evidence
    claim.save()
    _claim_event(claim, actor, "", _("Entered by the office") if status == Claim.Status.CONFIRMED else "")
    return claim


def claim_actor_may(*, claim, action, actor):
    """Who moves a claim [002 附件1 二]: the office's liaison confirms (or refuses) a submitted
    claim, organization staff verify (or refuse) a confirmed one, each within their scope."""
    if not actor.is_authenticated or not claims_visible_to(user=actor).filter(pk=claim.pk).exists():
        return False
    if actor.role == Role.LIAISON:
        return action in ("confirm", "refuse") and claim.status == Claim.Status.SUBMITTED
    if actor.is_superuser or actor.role == Role.ORG_STAFF:
        return action in ("verify", "refuse") and claim.status == Claim.Status.CONFIRMED
    return False


def _claim_transition(*, claim, action, actor, note=""):
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    transition = Claim.TRANSITIONS[action]
    check_transition(transition, claim, _("This claim is %(status)s and cannot be changed that way."))
    actor_require(claim_actor_may(claim=claim, action=action, actor=actor))
    before = claim.status
    claim.status = transition.target
    fields = ["status"]
    if action == "refuse":
        claim.refusal_reason = note
        fields.append("refusal_reason")
    claim.save(update_fields=fields)
    _claim_event(claim, actor, before, note)
    return claim


@transaction.atomic
def claim_confirm(*, claim, actor):
    """The office records the claim [002 附件1 二]."""
    return _claim_transition(claim=claim, action="confirm", actor=actor)


@transaction.atomic
def claim_verify(*, claim, actor):
    """Org staff verify; only now the claim counts."""
    claim = _claim_transition(claim=claim, action="verify", actor=actor)
    _award(
        deputy=claim.deputy,
        rule_item=claim.rule_item,
        event="claim",
        source=claim,
        occurred_on=claim.occurred_on,
        quantity=claim.quantity,
        actor=actor,
    )
    transaction.on_commit(lambda: _notify_deputy(claim.deputy, _("Your claim was verified: %(item)s") % {"item": claim.rule_item}))
    return claim


@transaction.atomic
def claim_refuse(*, claim, actor, reason):
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the refusal."), code="no_reason")
    claim = _claim_transition(claim=claim, action="refuse", actor=actor, note=reason.strip()[:500])
    transaction.on_commit(
        lambda: _notify_deputy(claim.deputy, _("Your claim was refused: %(reason)s") % {"reason": claim.refusal_reason})
    )
    return claim


def _notify_deputy(deputy, text):
    from django.urls import reverse

    if deputy.user_id:
        notice_send(user=deputy.user, text=text, url=reverse("scoring:my_points"))


# ---------------------------------------------------------------- reviews


@transaction.atomic
def review_request(*, entry, reason, actor):
    """A deputy asks for a review 复核 of one of their entries [002 附件1 四]."""
    actor_require(
        actor.role == Role.DEPUTY and entry.deputy.user_id == actor.pk, _("A deputy asks for a review of their own points.")
    )
    if not (reason or "").strip():
        raise ValidationError(_("Say why the entry should be reviewed."), code="no_reason")
    if Review.objects.filter(entry=entry, status=Review.Status.PENDING).exists():
        raise ValidationError(_("A review of this entry is already pending."), code="pending")
    try:
        with transaction.atomic():
            return Review.objects.create(entry=entry, deputy_id=entry.deputy_id, reason=reason.strip(), requested_by=actor)
    except IntegrityError:
        raise ValidationError(_("A review of this entry is already pending."), code="pending") from None


@transaction.atomic
def review_decide(*, review, accept, reason, actor, corrected_points=None):
    """The review group decides. Accepting reverses the entry and, if the corrected points are not
    zero, awards them again with the review as source — the ledger is never rewritten."""
    actor_require(staff_can_review(actor) and reviews_visible_to(user=actor).filter(pk=review.pk).exists())
    review = Review.objects.select_for_update().select_related("entry").get(pk=review.pk)
    if review.status != Review.Status.PENDING:
        raise ValidationError(_("This review has already been decided."), code="decided")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the decision."), code="no_reason")
    entry = review.entry
    if accept:
        if entry.kind != Entry.Kind.AWARD:
            raise ValidationError(_("Only an award can be corrected."), code="not_award")
        if corrected_points is None:
            corrected_points = 0
        if corrected_points == entry.points:
            raise ValidationError(_("The corrected points equal the current points."), code="unchanged")
        if entry_reverse(entry=entry, reason=_("Review: %(reason)s") % {"reason": reason.strip()}, actor=actor) is None:
            raise ValidationError(_("This entry has already been reversed."), code="reversed")
        if corrected_points:
            _award(
                deputy=entry.deputy,
                rule_item=entry.rule_item,
                event="review",
                source=review,
                occurred_on=entry.occurred_on,
                quantity=entry.quantity,
                points=corrected_points,
                actor=actor,
                reason=reason.strip()[:500],
            )
    review.status = Review.Status.ACCEPTED if accept else Review.Status.REJECTED
    review.decision_reason = reason.strip()
    review.corrected_points = corrected_points if accept else None
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decision_reason", "corrected_points", "decided_by", "decided_at"])
    transaction.on_commit(
        lambda: _notify_deputy(
            review.entry.deputy, _("Your review request was decided: %(status)s") % {"status": review.get_status_display()}
        )
    )
    return review


# ---------------------------------------------------------------- snapshots


def quarter_end(year, quarter):
    month = quarter * rules.MONTHS_PER_QUARTER
    return date(year, month, 31 if month in (3, 12) else 30)


@transaction.atomic
def snapshot_publish(*, year, quarter, actor):
    """Freeze the standings of a quarter [002 附件1 三]: every serving deputy's totals counted up to
    the end of the quarter, with their ranks. Later corrections show in the next snapshot."""
    actor_require(actor.is_superuser or (actor.role == Role.ORG_STAFF and actor.is_city_staff),
                  _("City organization staff publish the standings."))
    if quarter not in rules.QUARTERS:
        raise ValidationError(_("The quarter must be 1 to 4."), code="quarter")
    if Snapshot.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError(
            _("The standings of %(year)s Q%(quarter)s are already published.") % {"year": year, "quarter": quarter},
            code="published",
        )
    rows = list(standings_compute(year=year, upto=quarter_end(year, quarter)))
    # One row per deputy ranked: their number is stored with the snapshot, as its rows are frozen.
    snapshot = Snapshot.objects.create(year=year, quarter=quarter, published_by=actor, deputies_ranked=len(rows))
    SnapshotRow.objects.bulk_create(
        [
            SnapshotRow(
                snapshot=snapshot,
                deputy_id=r.deputy_id,
                district_id=r.district_id,
                office_id=r.office_id,
                deputy_name=r.name,
                total=r.total,
                by_category=r.by_category,
                by_item={str(k): v for k, v in r.by_item.items()},
                rank_city=r.rank_city,
                rank_district=r.rank_district,
                rank_office=r.rank_office,
            )
            for r in rows
        ],
        batch_size=1000,
    )
    return snapshot


# ---------------------------------------------------------------- annual reports


@transaction.atomic
def annual_report_save(*, deputy, year, body, actor, submit=False):
    """Save the deputy's report for the year, pre-filled with the facts at the time of saving;
    once submitted it is published inside the system and no longer edited."""
    actor_require(
        actor.role == Role.DEPUTY and deputy.user_id == actor.pk, _("A deputy writes their own annual report.")
    )
    report, _created = AnnualReport.objects.select_for_update().get_or_create(deputy=deputy, year=year)
    if report.status == AnnualReport.Status.SUBMITTED:
        raise ValidationError(_("This report has already been submitted."), code="submitted")
    if submit and not (body or "").strip():
        raise ValidationError(_("Write the report before submitting it."), code="empty")
    report.body = body or ""
    report.facts = annual_report_facts(deputy=deputy, year=year)
    fields = ["body", "facts", "updated_at"]
    if submit:
        report.status = AnnualReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        fields += ["status", "submitted_at"]
    report.save(update_fields=fields)
    return report


# ---------------------------------------------------------------- export jobs


def export_job_run(*, job_id):
    """Run one export job (liaison.lib.exporters.export_job_run: claimed once, streamed with
    progress)."""
    return run_export_job(
        model=ExportJob,
        job_id=job_id,
        select_related=("district",),
        exporter_for=exporter_for,
        filename_for=lambda job, exporter: f"{exporter.filename}-{job.year}-{job.pk}.xlsx",
    )
