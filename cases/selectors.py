"""Viewer-dependent reads of cases: one place decides who sees which case, and which moves and
which personal data each viewer gets."""

from functools import cache

from django.db.models import Q

from liaison.lib.permissions import scope_to_staff
from liaison.lib.sql import fetch_rows
from liaison.models import Role
from offices.models import Deputy, OfficeLiaison, Team, TeamMembership

from . import workflow
from .deadline_selectors import dispatch_overdue_q, flag
from .models import DISPATCH_OPEN, Case, CaseAttachment, CaseDispatch, DeadlineExtension


def _is_staff(user):
    return user.is_authenticated and (user.is_superuser or user.role == Role.ORG_STAFF)


def staff_covers(user, case):
    """Org staff whose scope covers the case's district (city staff cover all)."""
    if not _is_staff(user):
        return False
    if user.is_superuser:
        return True
    if user.jurisdiction_id is None:
        return False
    district_id = user.staff_district_id
    return district_id is None or district_id == case.district_id


def cases_visible_to(*, user, reach=None):
    """Cases a user may open. Deputies: cases they own or received, and, for a team leader, every
    case of the team's office (the leader runs the assignment meeting). Liaisons: their offices'
    cases. Unit handlers: cases dispatched to their unit. Staff: their district (city: all).
    `reach`: the deputy's `deputy_case_reach`, when the caller has read it already."""
    qs = Case.objects.select_related("office", "category", "owner")
    if not user.is_authenticated:
        return qs.none()
    if _is_staff(user):
        return scope_to_staff(qs, user, "district")
    if user.role == Role.LIAISON:
        return qs.filter(office_id__in=OfficeLiaison.objects.filter(user=user).values("office_id"))
    if user.role == Role.DEPUTY:
        return qs.filter((reach or deputy_case_reach(user=user)).q())
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        return qs.filter(pk__in=CaseDispatch.objects.filter(unit_id=user.unit_id).values("case_id"))
    return qs.none()


class DeputyCaseReach:
    """The ids through which a deputy reaches cases: their deputy row(s) (owner), the cases they
    received, and the offices whose team they lead.

    Read up front in one small query so that the case filter compares indexed columns with
    literal ids. The same condition written with joins and subqueries (`owner__user=user OR pk IN
    (received) OR office_id IN (led)`) cannot use an index for an OR across a join: PostgreSQL
    then filters every case of the city, twice per page (the rows and the count). With ids, each
    arm is an index scan (owner_id, primary key, case_office_status) combined by a BitmapOr."""

    def __init__(self, *, deputy_ids=(), case_ids=(), office_ids=(), received_office_ids=()):
        self.deputy_ids = sorted(set(deputy_ids))
        self.case_ids = sorted(set(case_ids))
        self.office_ids = sorted(set(office_ids))
        # The offices of the received cases: the versions a cached read of them depends on
        # (cases.reach_version).
        self.received_office_ids = sorted(set(received_office_ids))

    def key(self):
        """What identifies this reach in a cache key."""
        return (self.deputy_ids, self.case_ids, self.office_ids)

    def q(self):
        arms = [
            Q(**{lookup: ids})
            for lookup, ids in (
                ("owner_id__in", self.deputy_ids), ("pk__in", self.case_ids), ("office_id__in", self.office_ids)
            )
            if ids
        ]
        if not arms:
            return Q(pk__in=[])
        condition = arms[0]
        for arm in arms[1:]:
            condition |= arm
        return condition


@cache
def _reach_sql():
    """The text of `deputy_case_reach`'s query, from the models' own table and column names."""
    deputy, received = Deputy._meta, Case.received_by.through._meta
    membership, team = TeamMembership._meta, Team._meta
    col = lambda meta, name: meta.get_field(name).column  # noqa: E731
    user = col(deputy, "user")
    case = Case._meta
    return (
        f"SELECT 'd', d.id, NULL FROM {deputy.db_table} d WHERE d.{user} = %s"
        f" UNION ALL SELECT 'c', r.{col(received, 'case')}, c.{col(case, 'office')} FROM {received.db_table} r"
        f" JOIN {deputy.db_table} d ON d.id = r.{col(received, 'deputy')}"
        f" JOIN {case.db_table} c ON c.id = r.{col(received, 'case')} WHERE d.{user} = %s"
        f" UNION ALL SELECT 'o', t.{col(team, 'office')}, NULL FROM {membership.db_table} m"
        f" JOIN {deputy.db_table} d ON d.id = m.{col(membership, 'deputy')}"
        f" JOIN {team.db_table} t ON t.id = m.{col(membership, 'team')}"
        f" WHERE d.{user} = %s AND m.{col(membership, 'is_leader')} = %s"
    )


def deputy_case_reach(*, user):
    """One query (a UNION ALL of three indexed lookups) for the ids of `DeputyCaseReach`. Every
    page of a deputy reads it first; its text is fixed, so it is sent as written instead of being
    built by the ORM on each request (three querysets and a union: about 1 ms of the page's CPU,
    three times the query's own time at 10x; issue 10)."""
    ids = {"d": [], "c": [], "o": []}
    received_offices = []
    for kind, pk, office_id in fetch_rows(Case, _reach_sql(), [user.pk, user.pk, user.pk, True]):
        ids[kind].append(pk)
        if office_id is not None:
            received_offices.append(office_id)
    return DeputyCaseReach(
        deputy_ids=ids["d"], case_ids=ids["c"], office_ids=ids["o"], received_office_ids=received_offices
    )


def actor_kinds(*, user, case, reach=None):
    """The capacities in which a user stands towards a case (see cases.workflow). `reach`: the
    deputy's `deputy_case_reach`, when the caller has read it already."""
    kinds = set()
    if user is None or not user.is_authenticated:
        return kinds
    if staff_covers(user, case):
        kinds.add(workflow.STAFF)
    if user.role == Role.LIAISON and OfficeLiaison.objects.filter(user=user, office_id=case.office_id).exists():
        kinds.add(workflow.LIAISON)
    if user.role == Role.DEPUTY:
        # One query for the three capacities, the ids that also decide visibility.
        reach = reach or deputy_case_reach(user=user)
        if case.owner_id is not None and case.owner_id in reach.deputy_ids:
            kinds.add(workflow.OWNER)
        if case.pk in reach.case_ids:
            kinds.add(workflow.RECEIVER)
        if case.office_id in reach.office_ids:
            kinds.add(workflow.LEADER)
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        # A unit is a party to the case while it owes its share (not once replied or returned).
        if case.dispatches.filter(unit_id=user.unit_id, round=case.dispatch_round, status__in=DISPATCH_OPEN).exists():
            kinds.add(workflow.UNIT)
    return kinds


def moves_for(*, user, case, kinds=None):
    """The transitions this user may make on this case now, in table order (`kinds`: the user's
    `actor_kinds`, when the caller has them already)."""
    kinds = actor_kinds(user=user, case=case) if kinds is None else kinds
    return [t for t in workflow.TRANSITIONS.values() if t.allows(case.status) and kinds & t.actors]


def can_see_personal_data(*, user, case, kinds=None):
    """Residents' phones and addresses: only the case's owner, its office's liaisons and the staff
    who handle it (SPEC §7)."""
    kinds = actor_kinds(user=user, case=case) if kinds is None else kinds
    return bool(kinds & {workflow.OWNER, workflow.LIAISON, workflow.STAFF})


def case_page_dispatches(*, user, case, today):
    """The case page's dispatches (a unit handler: its own unit's only), each with its extensions,
    an `is_overdue` flag and its reply's files as `files`, and the case's own files: the files of
    the case and of every shown reply come in one query, split here, rather than one per level."""
    from django.db.models import Prefetch

    dispatches = (
        CaseDispatch.objects.filter(case=case).select_related("unit", "signed_by", "returned_by")
        .prefetch_related(Prefetch("extensions", queryset=DeadlineExtension.objects.order_by("requested_at")))
        .annotate(is_overdue=flag(dispatch_overdue_q(today)))
    )
    if user.role == Role.UNIT_HANDLER:
        # A unit sees its own share of the work, not the other units' replies or their files.
        dispatches = dispatches.filter(unit_id=user.unit_id)
    dispatches = list(dispatches)
    shown = [d.pk for d in dispatches]
    files = CaseAttachment.objects.filter(case=case).filter(Q(dispatch__isnull=True) | Q(dispatch_id__in=shown))
    case_files, by_dispatch = [], {pk: [] for pk in shown}
    for f in files:
        (case_files if f.dispatch_id is None else by_dispatch[f.dispatch_id]).append(f)
    for d in dispatches:
        d.files = by_dispatch[d.pk]
    return dispatches, case_files
