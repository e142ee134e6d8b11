"""The resident's side of a case (SPEC §3, [003] 公布/反馈, [000 九]).

1. An SMS at every step the resident cares about: intake (the tracking code), dispatch, the units'
   reply, feedback and closing. Each is one ResidentMessage row with a unique (case, step, round)
   key plus its outbox SmsMessage, written inside the transaction that moves the case (so a
   rolled-back move texts nobody and no step is texted twice), deferred to 08:00 in quiet hours
   by liaison.lib.sms.sms_build, and handed to the delivery job once the move has committed.
   Anonymous reporters, and reporters who left no mobile number, get none.
2. The resident rates the answer themselves: the SMS that brings the answer (the units' reply,
   or the feedback of a question answered on the spot) carries a signed link to one CaseRating
   row. The signature (django.core.signing, salted, timestamped) stops tampering and old links;
   the row's nonce, expiry and rated_at make it single-use. Once the link has expired unrated,
   a liaison or staff member who is not the case's owner records a phone follow-up 回访.
   Either way the rating is written by a transition of the case (cases.workflow "rate" and
   "follow_up"): the case row is locked, the rating checked against the current round, a timeline
   entry appended, and points item 3 awarded after commit to the owner when the resident is (very
   or basically) satisfied.
"""

import datetime
import hmac

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.lib.sms import sms_build
from reception.tasks import deliver_sms_soon
from scoring import services as scoring_services

from . import workflow
from .models import Case, CaseRating, ResidentMessage, Satisfaction, SatisfactionSource
from .move_services import _event, _lock_and_check, _sync
from .rules import rating_days
from .unit_figures_services import unit_figures_after, unit_figures_before

RATING_SALT = "cases.rating"


# Where links in SMS point when PUBLIC_BASE_URL is unset: the local demo (run.sh); production sets
# PUBLIC_BASE_URL, and `check --deploy` warns without it.
DEMO_BASE_URL = "http://127.0.0.1:8000"


def public_url(path):
    return f"{settings.PUBLIC_BASE_URL or DEMO_BASE_URL}{path}"


# ---------------------------------------------------------------- SMS at each step

def _deliver_after_commit():
    deliver_sms_soon()


def resident_sms(*, case, step, template, params, round=None, now=None):
    """Queue the SMS of one step for the case's reporter, once. Call inside the transaction that
    moves the case. Returns the ResidentMessage, or None when the reporter cannot be texted or the
    step was already texted for this round."""

    if not case.can_get_phone_feedback:
        return None
    round = case.dispatch_round if round is None else round
    # Residents read Chinese whoever is logged in when the case moves.
    with translation.override(settings.LANGUAGE_CODE):
        sms = sms_build(phone=case.reporter_mobile, template=template, params=params, now=now)
    try:
        with transaction.atomic():
            sms.save()
            message = ResidentMessage.objects.create(case=case, step=step, round=round, sms=sms)
    except IntegrityError:
        return None
    transaction.on_commit(_deliver_after_commit)
    return message


def track_url():
    return public_url(reverse("public:track"))


def sms_intake(case, *, now=None):
    return resident_sms(case=case, step=ResidentMessage.Step.INTAKE, template="case_received", round=0,
                        params={"code": case.tracking_code, "url": track_url()}, now=now)


def sms_dispatch(case, *, deadline, now=None):
    return resident_sms(case=case, step=ResidentMessage.Step.DISPATCH, template="case_dispatched",
                        params={"code": case.tracking_code, "due": f"{deadline.month}月{deadline.day}日"}, now=now)


def sms_feedback(case, *, now=None):
    return resident_sms(case=case, step=ResidentMessage.Step.FEEDBACK, template="case_fed_back",
                        params={"code": case.tracking_code, "url": track_url()}, now=now)


def sms_closed(case, *, now=None):
    return resident_sms(case=case, step=ResidentMessage.Step.ARCHIVE, template="case_closed",
                        params={"code": case.tracking_code}, now=now)


# ---------------------------------------------------------------- the rating link

def rating_token(rating):
    return signing.TimestampSigner(salt=RATING_SALT).sign(f"{rating.pk}.{rating.nonce}")


def rating_link(rating):
    return public_url(reverse("public:rate", args=[rating_token(rating)]))


def rating_invite(case, *, step, now=None):
    """Open the rating of the case's current round and text the resident the link, with the SMS of
    `step` (the units' reply, or the feedback of an on-the-spot answer). Once per round."""
    if not case.can_get_phone_feedback:
        return None
    now = now or timezone.now()
    rating, created = CaseRating.objects.get_or_create(
        case=case, round=case.dispatch_round,
        defaults={"invited_at": now, "expires_at": now + datetime.timedelta(days=rating_days())},
    )
    if not created:
        return None
    resident_sms(case=case, step=step, template="case_answer_rate", now=now,
                 params={"code": case.tracking_code, "url": rating_link(rating), "days": rating_days()})
    return rating


class RatingLinkError(Exception):
    """Why a rating link cannot be used; `code` picks the page the resident sees."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def rating_for_token(token, *, now=None):
    """The CaseRating a link stands for, with its case, if the link may still be used. Raises
    RatingLinkError("invalid" | "expired" | "used" | "closed")."""
    now = now or timezone.now()
    try:
        value = signing.TimestampSigner(salt=RATING_SALT).unsign(
            str(token)[:200], max_age=datetime.timedelta(days=rating_days() + 1)
        )
    except signing.SignatureExpired:
        raise RatingLinkError("expired") from None
    except signing.BadSignature:
        raise RatingLinkError("invalid") from None
    pk, _dot, nonce = value.partition(".")
    rating = (
        CaseRating.objects.filter(pk=int(pk)).select_related("case__office").first() if pk.isdigit() else None
    )
    if rating is None or not hmac.compare_digest(rating.nonce.encode(), nonce.encode()):
        raise RatingLinkError("invalid")
    _check_usable(rating, rating.case, now)
    return rating


def _check_usable(rating, case, now):
    if rating.rated_at is not None:
        raise RatingLinkError("used")
    if rating.round != case.dispatch_round or not workflow.TRANSITIONS["rate"].allows(case.status):
        raise RatingLinkError("closed")
    if rating.expires_at is None or rating.expires_at <= now:
        raise RatingLinkError("expired")


def follow_up_due_since(rating):
    """When a follow-up may be recorded: once the resident's link has expired (at once when none
    was sent)."""
    return rating.expires_at if rating is not None and rating.invited_at else None


# ---------------------------------------------------------------- the two ways a rating is recorded

def _record_rating(*, locked, rating, satisfaction, comment, source, actor, action, event_comment, now, caller=""):
    figures = unit_figures_before(case_id=locked.pk)
    rating.satisfaction = satisfaction
    rating.comment = comment
    rating.source = source
    rating.rated_at = now
    rating.called_by = actor
    rating.caller = caller
    rating.save(update_fields=["satisfaction", "comment", "source", "rated_at", "called_by", "caller"])
    locked.satisfaction = satisfaction
    locked.satisfaction_source = source
    locked.save(update_fields=["satisfaction", "satisfaction_source"])
    unit_figures_after(figures)
    _event(case=locked, actor=actor, action=action, from_status=locked.status,
           to_status=locked.status, comment=event_comment)
    event = {Satisfaction.VERY: "case_satisfied_very", Satisfaction.BASIC: "case_satisfied_basic"}.get(satisfaction)

    def after():
        # Points item 3 goes to the owner for the resident's own (or a non-owner's) rating only.
        if event and locked.owner_id:
            scoring_services.points_record_event(deputy=locked.owner, event=event, source=locked,
                                                 occurred_on=timezone.localdate(now), actor=actor)

    transaction.on_commit(after)


def _check_satisfaction(satisfaction):
    if satisfaction not in Satisfaction.values:
        raise ValidationError(_("Choose very satisfied, basically satisfied or dissatisfied."), code="no_satisfaction")


def case_rate(*, token, satisfaction, comment="", now=None):
    """The resident rates the answer through the link of their SMS (no login). The link is the
    resident's capacity (workflow.RESIDENT). Raises RatingLinkError for a link that cannot be used
    (also when it was used or the case moved on while the page was open)."""
    _check_satisfaction(satisfaction)
    comment = str(comment or "").strip()[:1000]
    now = now or timezone.now()
    rating = rating_for_token(token, now=now)
    transition = workflow.TRANSITIONS["rate"]
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=rating.case_id)
        if not transition.allows(locked.status):
            raise RatingLinkError("closed")
        rating = CaseRating.objects.select_for_update().get(pk=rating.pk)
        _check_usable(rating, locked, now)
        label = Satisfaction(satisfaction).label
        _record_rating(
            locked=locked, rating=rating, satisfaction=satisfaction, comment=comment,
            source=SatisfactionSource.RESIDENT, actor=None, action="rate", now=now,
            event_comment=f"{label}\n{comment}" if comment else str(label),
        )
    return _sync(rating.case, locked)


def case_follow_up(*, case, satisfaction, note="", actor, now=None):
    """A phone follow-up 回访: the resident did not rate within CASE_RATING_DAYS, so a liaison of the
    office or staff covering it — never the case's owner — calls and records the answer. The caller
    is the one who records it (kept by name too, for the timeline)."""
    _check_satisfaction(satisfaction)
    note = str(note or "").strip()[:1000]
    now = now or timezone.now()
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="follow_up", actor=actor)
        if locked.owner_id and locked.owner.user_id == actor.pk:
            raise PermissionDenied(_("The case's owner may not record the satisfaction that scores them."))
        if not locked.can_get_phone_feedback:
            raise ValidationError(_("The resident left no mobile number: there is no one to call."), code="no_phone")
        rating, _created = CaseRating.objects.select_for_update().get_or_create(
            case=locked, round=locked.dispatch_round
        )
        if rating.rated_at is not None:
            raise ValidationError(_("The resident's satisfaction with this answer is already recorded."),
                                  code="already_rated")
        due = follow_up_due_since(rating)
        if due is not None and now < due:
            raise ValidationError(
                _("The resident may rate the answer through the SMS link until %(date)s; follow up after that."),
                params={"date": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}, code="too_early",
            )
        caller = (getattr(actor, "name", "") or str(actor))[:100]
        label = Satisfaction(satisfaction).label
        text = _("Phone follow-up by %(caller)s: %(satisfaction)s") % {"caller": caller, "satisfaction": label}
        _record_rating(
            locked=locked, rating=rating, satisfaction=satisfaction, comment=note,
            source=SatisfactionSource.FOLLOW_UP, actor=actor, action="follow_up", now=now, caller=caller,
            event_comment=f"{text}\n{note}" if note else text,
        )
    return _sync(case, locked)


def follow_up_possible(case, *, now=None):
    """Whether a follow-up could be recorded now (for showing the move): the resident can be
    called, has not rated this round, and the link (if any) has expired."""
    if not case.can_get_phone_feedback or not workflow.TRANSITIONS["follow_up"].allows(case.status):
        return False
    rating = CaseRating.objects.filter(case=case, round=case.dispatch_round).first()
    if rating is not None and rating.rated_at is not None:
        return False
    due = follow_up_due_since(rating)
    return due is None or (now or timezone.now()) >= due


def rating_required_before_archive(case):
    """A resident who can be reached rates the answer (or is followed up) before the case closes."""
    return case.can_get_phone_feedback and case.satisfaction_source not in (
        SatisfactionSource.RESIDENT, SatisfactionSource.FOLLOW_UP
    )


__all__ = [
    "RatingLinkError", "case_follow_up", "case_rate", "follow_up_possible", "rating_for_token", "rating_invite",
    "rating_link", "rating_required_before_archive", "resident_sms", "sms_closed", "sms_dispatch", "sms_feedback",
    "sms_intake",
]
