"""Each deputy's performance file 履职档案, kept by the office's liaison [004 第十二条(五)]: "a complete
record of the deputy's work at the office". Nothing is stored for it: the file is assembled, per
deputy and year, from the records the other parts of the portal already keep (attendance, activities,
contact network, cases, proposals, inquiries, training, points, the annual report, escalations).

The assembly reads a fixed number of queries whatever the number of records, and shows nothing of
residents' personal data (no reporter names, phones or addresses; contacts are counted, not named),
so opening a file needs no audit entry; its Excel export (performance_exporters) is audited like
every export.
"""

from collections import Counter

from django.db.models import Count, Prefetch, Q

from cases.models import Case, Inquiry, Proposal, ProposalCosigner, ProposalKind, ProposalStatus
from cases.models import Status as CaseStatus
from cases.proposal_selectors import inquiries_visible_to, proposals_visible_to
from cases.selectors import cases_visible_to
from offices.models import Contact, ContactVisit, FixedCommunity, TeamMembership, TrainingAttendance
from offices.selectors import performance_files_visible_to
from reception.models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod
from scoring.models import AnnualReport, Category, Entry, SnapshotRow
from scoring.selectors import capped_item_totals, reports_visible_to

# The file page lists this many cases; the Excel file lists them all.
CASES_SHOWN = 10


def _proposal_in_year(year, prefix=""):
    """A proposal or motion belongs to the year it was filed in; one not filed yet (collecting
    co-signatures, withdrawn before filing) to the year it was written in."""
    return Q(**{f"{prefix}filed_on__year": year}) | Q(
        **{f"{prefix}filed_on__isnull": True, f"{prefix}created_at__year": year}
    )


def performance_file(*, deputy, year, viewer):
    """Everything the file shows for `deputy` in `year`, read for `viewer` (who decides which case,
    proposal, inquiry and report pages the file links to). A fixed number of queries."""
    # Profile: public fields, teams and the role in them, fixed communities.
    memberships = list(
        TeamMembership.objects.filter(deputy=deputy).select_related("team__office").order_by("team__name")
    )
    communities = [
        link.community for link in FixedCommunity.objects.filter(deputy=deputy).select_related("community")
    ]

    # Attendance, one outcome per reception period of the deputy's district [000 十一].
    periods = list(ReceptionPeriod.objects.filter(district_id=deputy.district_id, start__year=year).order_by("start"))
    outcomes = {
        a.period_id: a
        for a in Attendance.objects.filter(deputy=deputy, period__start__year=year).select_related("activity")
    }
    attendance = [{"period": p, "record": outcomes.get(p.pk)} for p in periods]
    outcome_counts = Counter(a.outcome for a in outcomes.values())
    leave_requests = list(
        LeaveRequest.objects.filter(deputy=deputy, activity__date__year=year)
        .select_related("activity")
        .order_by("activity__date", "pk")
    )

    # Activities taken part in, with households visited.
    participations = list(
        ActivityParticipant.objects.filter(deputy=deputy, activity__date__year=year)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity__office")
        .order_by("activity__date", "activity__slot", "pk")
    )
    held = [p for p in participations if p.activity.status == Activity.Status.LOGGED and p.attended]
    households = sum(p.activity.households for p in held if p.activity.kind == Activity.Kind.HOUSEHOLD_VISIT)

    # Contact network [001]: counted, never named here (the contacts are residents).
    contacts = Contact.objects.filter(deputy=deputy, is_active=True).aggregate(
        total=Count("id"), pairing=Count("id", filter=Q(is_pairing_household=True))
    )
    contacts["visits"] = ContactVisit.objects.filter(contact__deputy=deputy, contact__is_active=True, date__year=year).count()
    contacts["minimum"] = deputy.district.contact_minimum

    # Cases received and owned, by the year they were received in. The received ones by their
    # ids (a deputy's few dozen): `owner OR pk IN (subquery)` made PostgreSQL scan every case of
    # the city twice (140 ms each at 528,000 cases); with the ids each arm is an index scan.
    received_ids = set(Case.received_by.through.objects.filter(deputy=deputy).values_list("case_id", flat=True))
    mine = Q(owner=deputy) | Q(pk__in=received_ids)
    cases = list(
        Case.objects.filter(mine, received_on__year=year)
        .select_related("category")
        .only("pk", "title", "status", "received_on", "owner_id", "category__name", "tracking_code")
        .order_by("-received_on", "-pk")
    )
    received = received_ids
    openable = set(cases_visible_to(user=viewer).filter(mine, received_on__year=year).values_list("pk", flat=True))
    for case in cases:
        case.is_received = case.pk in received
        case.is_owned = case.owner_id == deputy.pk
        case.openable = case.pk in openable
    case_states = [
        {
            "status": (value, label),
            "received": sum(1 for c in cases if c.is_received and c.status == value),
            "owned": sum(1 for c in cases if c.is_owned and c.status == value),
        }
        for value, label in CaseStatus.choices
    ]
    case_states = [row for row in case_states if row["received"] or row["owned"]]

    # Proposals, lead motions, co-signings [002 6], inquiries [000 十].
    led = list(Proposal.objects.filter(_proposal_in_year(year), lead=deputy).select_related("unit").order_by("pk"))
    cosigned = list(
        ProposalCosigner.objects.filter(
            _proposal_in_year(year, "proposal__"), deputy=deputy, status=ProposalCosigner.Status.CONFIRMED
        )
        .select_related("proposal__lead", "proposal__unit")
        .order_by("proposal_id")
    )
    inquiries = list(
        Inquiry.objects.filter(participants=deputy, date__year=year).select_related("target_unit").order_by("date", "pk")
    )
    proposal_ids = [p.pk for p in led] + [c.proposal_id for c in cosigned]
    openable_proposals = set(
        proposals_visible_to(user=viewer).filter(pk__in=proposal_ids).values_list("pk", flat=True)
    ) if proposal_ids else set()
    openable_inquiries = set(
        inquiries_visible_to(user=viewer).filter(pk__in=[i.pk for i in inquiries]).values_list("pk", flat=True)
    ) if inquiries else set()
    for p in led:
        p.openable = p.pk in openable_proposals
    for c in cosigned:
        c.proposal.openable = c.proposal_id in openable_proposals
    for i in inquiries:
        i.openable = i.pk in openable_inquiries

    # Training courses [000 十八].
    training = list(
        TrainingAttendance.objects.filter(deputy=deputy, course__starts_on__year=year)
        .select_related("course__organizer")
        .order_by("course__starts_on", "pk")
    )

    # Points: the latest published standings of the year [002 附件1 三], and the ledger so far.
    snapshot_row = (
        SnapshotRow.objects.filter(deputy=deputy, snapshot__year=year)
        .select_related("snapshot")
        .order_by("-snapshot__quarter")
        .first()
    )
    ranked = None
    categories = []
    if snapshot_row is not None:
        # How many deputies each rank is out of, in the same published snapshot.
        ranked = SnapshotRow.objects.filter(snapshot_id=snapshot_row.snapshot_id).aggregate(
            city=Count("id"),
            district=Count("id", filter=Q(district_id=snapshot_row.district_id)),
            office=Count("id", filter=Q(office_id=snapshot_row.office_id)),
        )
        categories = [
            {"label": label, "points": snapshot_row.by_category.get(value, 0)} for value, label in Category.choices
        ]
    per_deputy, _items = capped_item_totals(Entry.objects.filter(deputy=deputy, year=year))
    ledger_total = sum(per_deputy.get(deputy.pk, {}).values())

    # Annual written report [000 十二] and the escalations still owed [000 十一].
    report = AnnualReport.objects.filter(deputy=deputy, year=year).first()
    report_openable = report is not None and reports_visible_to(user=viewer).filter(pk=report.pk).exists()
    escalations = list(
        Escalation.objects.filter(deputy=deputy)
        .filter(Q(period__start__year=year) | ~Q(status=Escalation.Status.RESOLVED))
        .select_related("period")
        .order_by("-created_at", "-pk")
    )

    return {
        "deputy": deputy,
        "year": year,
        "memberships": memberships,
        "communities": communities,
        "attendance": attendance,
        "outcome_counts": [
            {"label": label, "count": outcome_counts.get(value, 0)} for value, label in Attendance.Outcome.choices
        ],
        "leave_requests": leave_requests,
        "participations": participations,
        "activities_held": len(held),
        "households": households,
        "contacts": contacts,
        "cases": cases,
        "cases_shown": cases[:CASES_SHOWN],
        "cases_received": sum(1 for c in cases if c.is_received),
        "cases_owned": sum(1 for c in cases if c.is_owned),
        "case_states": case_states,
        "proposals": [p for p in led if p.kind == ProposalKind.PROPOSAL],
        "motions": [p for p in led if p.kind == ProposalKind.MOTION],
        "proposals_count": sum(1 for p in led if p.kind == ProposalKind.PROPOSAL and p.status != ProposalStatus.WITHDRAWN),
        "motions_count": sum(1 for p in led if p.kind == ProposalKind.MOTION and p.status != ProposalStatus.WITHDRAWN),
        "cosigned": cosigned,
        "inquiries": inquiries,
        "training": training,
        "snapshot_row": snapshot_row,
        "ranked": ranked,
        "categories": categories,
        "ledger_total": ledger_total,
        "report": report,
        "report_openable": report_openable,
        "escalations": escalations,
        "escalations_open": [e for e in escalations if e.status != Escalation.Status.RESOLVED],
    }


def performance_file_deputies(*, user):
    """The deputies whose files `user` keeps, in the list's order, with their teams."""
    return (
        performance_files_visible_to(user=user)
        .order_by("name_initials", "name", "pk")
        .prefetch_related(
            Prefetch("memberships", queryset=TeamMembership.objects.select_related("team__office").order_by("team__name"))
        )
    )
