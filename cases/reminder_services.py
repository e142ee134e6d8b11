"""The daily overdue scan of cases (SPEC §3 "deadlines and overdue scans run daily").

Two deadlines are watched: a case must be forwarded to the organization department within
forward_days() of receipt [001 第五篇] (Case.forward_due, set at registration), and each unit must
reply by the deadline staff set on dispatch (CaseDispatch.deadline, current round only).

Each overdue deadline is flagged by one CaseReminder row whose unique key names the case, the
kind, the dispatch and the deadline: the row, the notices and the SMS are written in one
transaction, so a second run (or a second worker) that finds the row adds nothing. A case is thus
reminded at most once per kind and deadline; a new dispatch round brings a new deadline and so a
new reminder.

Who is reminded: for forwarding, the case's owner (or, before the team meeting gave it one, the
leader of the office's team) and the office's liaisons; for a unit's reply, that unit's handlers
and the case's owner; in both cases the org staff of the case's district (city staff when the
district has none). Everyone gets an in-portal notice; an SMS goes through the SMS backend's
outbox to those with a mobile number on file (deputies always have one; accounts may not).
"""

from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.lib.sms import sms_build
from liaison.models import Role, SmsMessage, User
from liaison.services import notices_send
from offices.models import OfficeLiaison, TeamMembership

from .deadline_selectors import FORWARD_PENDING, dispatch_overdue_q, forward_overdue_q, proposal_dispatch_overdue_q
from .models import Case, CaseDispatch, CaseReminder, ProposalDispatch, ProposalReminder

# Kept for importers; the rule itself is cases.deadline_selectors.
AWAITING_FORWARD = FORWARD_PENDING


def _case_url(case):
    # The internal case page; the notice still reads well without a link if it is not installed.
    try:
        return case.get_absolute_url()
    except NoReverseMatch:
        return ""


class _Recipients:
    """Looks up who to remind, caching per office, district and unit so that a scan of many cases
    makes a number of queries that grows with the offices and units concerned, not the cases."""

    def __init__(self):
        self._liaisons = {}
        self._leaders = {}
        self._staff = {}
        self._handlers = {}
        self._city_staff = None

    def liaisons(self, office_id):
        if office_id not in self._liaisons:
            self._liaisons[office_id] = list(
                User.objects.filter(
                    is_active=True, role=Role.LIAISON,
                    pk__in=OfficeLiaison.objects.filter(office_id=office_id).values("user_id"),
                )
            )
        return self._liaisons[office_id]

    def leaders(self, office_id):
        if office_id not in self._leaders:
            self._leaders[office_id] = [
                m.deputy for m in TeamMembership.objects.filter(team__office_id=office_id, is_leader=True)
                .select_related("deputy__user")
            ]
        return self._leaders[office_id]

    def staff(self, district_id):
        if district_id not in self._staff:
            staff = list(User.objects.filter(is_active=True, role=Role.ORG_STAFF, jurisdiction_id=district_id))
            if not staff:
                if self._city_staff is None:
                    self._city_staff = list(
                        User.objects.filter(is_active=True, role=Role.ORG_STAFF, jurisdiction__level="city")
                    )
                staff = self._city_staff
            self._staff[district_id] = staff
        return self._staff[district_id]

    def handlers(self, unit_id):
        if unit_id not in self._handlers:
            self._handlers[unit_id] = list(
                User.objects.filter(is_active=True, role=Role.UNIT_HANDLER, unit_id=unit_id)
            )
        return self._handlers[unit_id]


def _people(*, deputies=(), users=()):
    """(accounts to notify, mobile numbers to text), each person once. A deputy is reached through
    the login account if there is one and by SMS at the deputy's own mobile."""
    accounts, phones = {}, {}
    for deputy in deputies:
        if deputy is None:
            continue
        if deputy.user_id and deputy.user.is_active:
            accounts[deputy.user_id] = deputy.user
        if deputy.mobile:
            phones.setdefault(deputy.mobile, deputy.name)
    for user in users:
        accounts[user.pk] = user
        if user.mobile:
            phones.setdefault(user.mobile, user.name or user.username)
    return list(accounts.values()), phones


def _remind(*, case, kind, due_on, deputies, users, dispatch=None, now):
    """Flag one overdue deadline and remind the people concerned, once. Returns True if this call
    did it, False if a reminder for this deadline was already there."""
    key = CaseReminder.make_key(case_id=case.pk, kind=kind, dispatch_id=dispatch.pk if dispatch else None,
                                due_on=due_on)
    accounts, phones = _people(deputies=deputies, users=users)
    what = CaseReminder.Kind(kind).label
    if dispatch is not None:
        what = f"{what} ({dispatch.unit.name})"
    with transaction.atomic():
        try:
            with transaction.atomic():
                CaseReminder.objects.create(case=case, kind=kind, dispatch=dispatch, due_on=due_on, key=key)
        except IntegrityError:
            return False
        notices_send(
            users=accounts,
            text=_("Overdue: case %(code)s “%(title)s”: %(what)s, deadline %(due)s.")
            % {"code": case.tracking_code, "title": case.title, "what": what, "due": due_on.isoformat()},
            url=_case_url(case),
        )
        # Only the code in the SMS: no resident's words leave the system by text message.
        SmsMessage.objects.bulk_create([
            sms_build(phone=phone, template="case_overdue",
                      params={"name": name, "code": case.tracking_code, "what": str(CaseReminder.Kind(kind).label),
                              "due": due_on.isoformat()},
                      now=now, district=case.district_id)
            for phone, name in phones.items()
        ])
    return True


def case_overdue_scan(*, today=None, now=None):
    """Flag every overdue deadline and remind owners, units and staff. Safe to run any number of
    times a day: a deadline already flagged is skipped. Returns a Counter of reminders made by kind
    ("forward", "reply") and of deadlines already flagged ("already")."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    summary = Counter()
    people = _Recipients()
    with translation.override(settings.LANGUAGE_CODE):
        late_forward = (
            Case.objects.filter(forward_overdue_q(today))
            .select_related("owner__user")
            .order_by("pk")
        )
        for case in late_forward.iterator(chunk_size=500):
            owners = [case.owner] if case.owner_id else people.leaders(case.office_id)
            done = _remind(
                case=case, kind=CaseReminder.Kind.FORWARD, due_on=case.forward_due, deputies=owners,
                users=[*people.liaisons(case.office_id), *people.staff(case.district_id)], now=now,
            )
            summary["forward" if done else "already"] += 1

        late_reply = (
            CaseDispatch.objects.filter(dispatch_overdue_q(today))
            .select_related("case__owner__user", "unit")
            .order_by("pk")
        )
        for dispatch in late_reply.iterator(chunk_size=500):
            case = dispatch.case
            done = _remind(
                case=case, kind=CaseReminder.Kind.REPLY, due_on=dispatch.deadline, dispatch=dispatch,
                deputies=[case.owner] if case.owner_id else [],
                users=[*people.handlers(dispatch.unit_id), *people.staff(case.district_id)], now=now,
            )
            summary["reply" if done else "already"] += 1
    return summary



def proposal_overdue_scan(*, today=None, now=None):
    """Flag every overdue unit share of a proposal or motion and remind its unit's handlers, the
    lead deputy and the staff of the proposal's district — once per share and deadline (a
    ProposalReminder row, written with the notices and SMS). Returns a Counter: "proposal" for
    reminders made, "already" for shares already flagged."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    summary = Counter()
    people = _Recipients()
    with translation.override(settings.LANGUAGE_CODE):
        late = (
            ProposalDispatch.objects.filter(proposal_dispatch_overdue_q(today))
            .select_related("proposal__lead__user", "unit")
            .order_by("pk")
        )
        for share in late.iterator(chunk_size=500):
            proposal = share.proposal
            accounts, phones = _people(deputies=[proposal.lead],
                                       users=[*people.handlers(share.unit_id), *people.staff(proposal.district_id)])
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ProposalReminder.objects.create(dispatch=share, due_on=share.deadline)
                except IntegrityError:
                    summary["already"] += 1
                    continue
                notices_send(
                    users=accounts, url=proposal.get_absolute_url(),
                    text=_("Overdue: the reply of %(unit)s to “%(title)s”, deadline %(due)s.")
                    % {"unit": share.unit.name, "title": proposal.title, "due": share.deadline.isoformat()},
                )
                SmsMessage.objects.bulk_create([
                    sms_build(phone=phone, template="proposal_overdue", now=now,
                              params={"name": name, "title": proposal.title[:20], "unit": share.unit.name,
                                      "due": share.deadline.isoformat()})
                    for phone, name in phones.items()
                ])
            summary["proposal"] += 1
    return summary
