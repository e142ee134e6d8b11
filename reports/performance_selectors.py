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

from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)

from cases.models import Case, Inquiry, Proposal, ProposalCosigner, ProposalKind, ProposalStatus
from cases.models import Status as CaseStatus
from cases.proposal_selectors import inquiries_visible_to, proposals_visible_to
from cases.selectors import cases_visible_to
from offices.models import (
    Contact,
    ContactVisit,
    Deputy,
    FixedCommunity,
    Jurisdiction,
    Office,
    Team,
    TeamMembership,
    TrainingAttendance,
    TrainingCourse,
)
from offices.selectors import performance_files_visible_to
from reception.models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod
from scoring.models import AnnualReport, Category, Entry, SnapshotRow
from scoring.selectors import capped_total, reports_visible_to

# The file page lists this many cases; the Excel file lists them all.
CASES_SHOWN = 10


# The columns of the leave, training and escalation rows read as one UNION ALL.
ROW_SHAPE = ("kind", "row_id", "ref_id", "other_id", "text1", "text2", "text3", "text4", "number", "date1", "date2", "date3", "moment", "flag")


def _proposal_in_year(year, prefix=""):
    """A proposal or motion belongs to the year it was filed in; one not filed yet (collecting
    co-signatures, withdrawn before filing) to the year it was written in."""
    return Q(**{f"{prefix}filed_on__year": year}) | Q(
        **{f"{prefix}filed_on__isnull": True, f"{prefix}created_at__year": year}
    )


def _visible(visible, outer="pk"):
    """Whether the row (or the row its `outer` column points to) is among `visible`, the viewer's
    queryset: an EXISTS by primary key, read with the rows instead of in a query of its own."""
    return Exists(visible.order_by().filter(pk=OuterRef(outer)))


def _count(rows):
    """The number of `rows` (a correlated queryset), as a scalar subquery."""
    # COUNT as a plain function, not an aggregate: no GROUP BY, one row whatever the rows. COUNT(*)
    # rather than of the primary key (never null, the same number): a count an index answers alone
    # (an index-only scan), without reading each row from the table for its id.
    return Subquery(rows.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"), output_field=IntegerField())


FILE_COUNTS = (
    "contacts_total", "contacts_pairing", "contacts_visits",
    "report_pk", "report_status", "report_submitted_at", "report_openable",
)


def with_file_counts(deputies, *, year, viewer):
    """`deputies` (a queryset) with what the file counts of each in `year` read on its row, as
    scalar subqueries named file_<FILE_COUNTS>: the contact network's size and visits, and the
    annual report's status and date and whether `viewer` may open it."""
    active = Contact.objects.filter(deputy_id=OuterRef("pk"), is_active=True)
    own_report = AnnualReport.objects.filter(deputy_id=OuterRef("pk"), year=year)
    return deputies.annotate(
        file_contacts_total=_count(active),
        file_contacts_pairing=_count(active.filter(is_pairing_household=True)),
        file_contacts_visits=_count(
            ContactVisit.objects.filter(contact__deputy_id=OuterRef("pk"), contact__is_active=True, date__year=year)
        ),
        # One report per deputy and year.
        file_report_pk=Subquery(own_report.values("pk")[:1]),
        file_report_status=Subquery(own_report.values("status")[:1]),
        file_report_submitted_at=Subquery(own_report.values("submitted_at")[:1]),
        file_report_openable=Exists(reports_visible_to(user=viewer).order_by().filter(deputy_id=OuterRef("pk"), year=year)),
    )


def performance_file(*, deputy, year, viewer):
    """Everything the file shows for `deputy` in `year`, read for `viewer` (who decides which case,
    proposal, inquiry and report pages the file links to). A fixed number of queries."""
    # Profile: public fields, teams and the role in them, fixed communities. One query: the UNION
    # of the memberships (with the team and its office) and the fixed communities, as rows of one
    # shape, teams first by name, then communities in the order they were linked.
    team_rows = (
        TeamMembership.objects.filter(deputy=deputy)
        .annotate(
            kind=Value(0, output_field=IntegerField()), sort_name=F("team__name"), row_id=F("pk"),
            ref_id=F("team_id"), ref_name=F("team__name"), office_id=F("team__office_id"),
            office_name=F("team__office__name"), leader=F("is_leader"),
        )
        .values_list("kind", "sort_name", "row_id", "ref_id", "ref_name", "office_id", "office_name", "leader")
        .order_by()
    )
    community_rows = (
        FixedCommunity.objects.filter(deputy=deputy)
        .annotate(
            kind=Value(1, output_field=IntegerField()), sort_name=Value("", output_field=CharField()), row_id=F("pk"),
            ref_id=F("community_id"), ref_name=F("community__name"), office_id=F("community_id"),
            office_name=F("community__name"), leader=Value(False, output_field=BooleanField()),
        )
        .values_list("kind", "sort_name", "row_id", "ref_id", "ref_name", "office_id", "office_name", "leader")
        .order_by()
    )
    memberships = []
    communities = []
    for kind, _sort, row_id, ref_id, ref_name, office_id, office_name, leader in team_rows.union(
        community_rows, all=True
    ).order_by("kind", "sort_name", "row_id"):
        if kind == 0:
            team = Team(pk=ref_id, name=ref_name, office=Office(pk=office_id, name=office_name))
            memberships.append(TeamMembership(pk=row_id, team=team, deputy=deputy, is_leader=leader))
        else:
            communities.append(Jurisdiction(pk=ref_id, name=ref_name))

    # Attendance, one outcome per reception period of the deputy's district [000 十一].
    # One query: the year's periods of the district, and of any other district where the deputy has
    # an outcome (counted, not listed), each joined to the deputy's outcome (one per period).
    rows = list(
        ReceptionPeriod.objects.filter(start__year=year)
        .filter(
            Q(district_id=deputy.district_id)
            | Exists(Attendance.objects.filter(period_id=OuterRef("pk"), deputy=deputy))
        )
        .annotate(deputy_outcome=FilteredRelation("attendances", condition=Q(attendances__deputy=deputy)))
        .select_related("deputy_outcome", "deputy_outcome__activity")
        .order_by("start", "pk")
    )
    periods = [p for p in rows if p.district_id == deputy.district_id]
    # Django sets the joined outcome only on the periods that have one.
    outcomes = {p.pk: p.deputy_outcome for p in rows if getattr(p, "deputy_outcome", None) is not None}
    attendance = [{"period": p, "record": outcomes.get(p.pk)} for p in periods]
    outcome_counts = Counter(a.outcome for a in outcomes.values())
    # The leave requests are read with the training and escalations below.

    # Activities taken part in, with households visited.
    participations = list(
        ActivityParticipant.objects.filter(deputy=deputy, activity__date__year=year)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity__office")
        .order_by("activity__date", "activity__slot", "pk")
    )
    held = [p for p in participations if p.activity.status == Activity.Status.LOGGED and p.attended]
    households = sum(p.activity.households for p in held if p.activity.kind == Activity.Kind.HOUSEHOLD_VISIT)

    # Contact network [001]: counted, never named here (the contacts are residents); and the
    # annual written report [000 十二]: scalar subqueries on the deputy's row, read with the deputy
    # when it comes from `with_file_counts` (the page and the export), else in a query here.
    counted = deputy
    if not hasattr(counted, "file_contacts_total"):
        counted = with_file_counts(Deputy.objects.filter(pk=deputy.pk), year=year, viewer=viewer).get()
    counts = {name: getattr(counted, f"file_{name}") for name in FILE_COUNTS}
    contacts = {
        "total": counts["contacts_total"],
        "pairing": counts["contacts_pairing"],
        "visits": counts["contacts_visits"],
        "minimum": deputy.district.contact_minimum,
    }

    # Cases received and owned, by the year they were received in: one query, the UNION of the
    # owned and the received ones. `owner OR pk IN (subquery)` made PostgreSQL scan every case of
    # the city twice (140 ms each at 528,000 cases); as two arms each is an index scan. Whether the
    # viewer may open each is read with the rows (an EXISTS per row, by primary key).
    received = Case.received_by.through.objects.filter(deputy=deputy)
    year_cases = (
        Case.objects.filter(received_on__year=year)
        .select_related("category")
        .only("pk", "title", "status", "received_on", "owner_id", "category__name", "tracking_code")
        .annotate(
            received_by_deputy=Exists(received.filter(case_id=OuterRef("pk"))),
            openable=_visible(cases_visible_to(user=viewer)),
        )
        .order_by()
    )
    cases = list(
        year_cases.filter(owner=deputy)
        .union(year_cases.filter(pk__in=received.values("case_id")))
        .order_by("-received_on", "-id")
    )
    for case in cases:
        case.is_received = case.received_by_deputy
        case.is_owned = case.owner_id == deputy.pk
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
    # Each row with whether the viewer may open it, as for the cases.
    # One query: the UNION of the proposals led and the motions co-signed (confirmed), each arm an
    # index scan as for the cases, with the deputy's confirmed co-signing read on the row.
    confirmed = ProposalCosigner.objects.filter(deputy=deputy, status=ProposalCosigner.Status.CONFIRMED)
    year_proposals = (
        Proposal.objects.filter(_proposal_in_year(year))
        .select_related("unit", "lead")
        .annotate(
            openable=_visible(proposals_visible_to(user=viewer)),
            cosigning_pk=Subquery(confirmed.filter(proposal_id=OuterRef("pk")).order_by("pk").values("pk")[:1]),
        )
        .order_by()
    )
    rows = list(
        year_proposals.filter(lead=deputy)
        .union(year_proposals.filter(pk__in=confirmed.values("proposal_id")))
        .order_by("id")
    )
    led = [p for p in rows if p.lead_id == deputy.pk]
    cosigned = [
        ProposalCosigner(pk=p.cosigning_pk, proposal=p, deputy=deputy, status=ProposalCosigner.Status.CONFIRMED)
        for p in rows
        if p.cosigning_pk is not None
    ]
    inquiries = list(
        Inquiry.objects.filter(participants=deputy, date__year=year)
        .select_related("target_unit")
        .annotate(openable=_visible(inquiries_visible_to(user=viewer)))
        .order_by("date", "pk")
    )

    # Training courses [000 十八]: read with the escalations below.

    # Points: the latest published standings of the year [002 附件1 三], and the ledger so far.
    # With how many deputies each rank is out of, in the same published snapshot: the city's number
    # stored with the snapshot when it was published (counting its 20,000 rows took 10 ms at 10x),
    # the district's and the office's counted in the same query, for the one row picked (the outer
    # filter is that row's primary key), each an index-only scan of snaprow_district / snaprow_office.
    latest = (
        SnapshotRow.objects.filter(deputy=deputy, snapshot__year=year).order_by("-snapshot__quarter").values("pk")[:1]
    )
    same_snapshot = SnapshotRow.objects.filter(snapshot_id=OuterRef("snapshot_id"))
    snapshot_row = (
        SnapshotRow.objects.filter(pk=Subquery(latest))
        .select_related("snapshot")
        .annotate(
            ranked_district=_count(same_snapshot.filter(district_id=OuterRef("district_id"))),
            ranked_office=_count(same_snapshot.filter(office_id=OuterRef("office_id"))),
        )
        .first()
    )
    ranked = None
    categories = []
    if snapshot_row is not None:
        ranked = {
            "city": snapshot_row.snapshot.deputies_ranked,
            "district": snapshot_row.ranked_district,
            "office": snapshot_row.ranked_office,
        }
        categories = [
            {"label": label, "points": snapshot_row.by_category.get(value, 0)} for value, label in Category.choices
        ]
    ledger_total = capped_total(Entry.objects.filter(deputy=deputy, year=year))

    # The annual report, read with the contacts above; the escalations still owed [000 十一].
    report = None
    if counts["report_pk"] is not None:
        report = AnnualReport(
            pk=counts["report_pk"], deputy=deputy, year=year,
            status=counts["report_status"], submitted_at=counts["report_submitted_at"],
        )
    report_openable = report is not None and counts["report_openable"]
    # One query: the UNION ALL of the leave requests for the year's activities, the year's
    # training courses attended [000 十八] and the escalations (of the year's periods, or still
    # owed) [000 十一], as rows of one shape.
    leave_rows = (
        LeaveRequest.objects.filter(deputy=deputy, activity__date__year=year)
        .annotate(
            kind=Value(2, output_field=IntegerField()), row_id=F("pk"), ref_id=F("activity_id"),
            other_id=F("activity_id"), text1=F("status"), text2=F("activity__title"), text3=F("reason"),
            text4=F("activity__slot"), number=Value(0, output_field=IntegerField()), date1=F("activity__date"),
            date2=F("activity__date"), date3=Value(None, output_field=DateField()),
            moment=Value(None, output_field=DateTimeField()), flag=Value(False, output_field=BooleanField()),
        )
        .values_list(*ROW_SHAPE)
        .order_by()
    )
    training_rows = (
        TrainingAttendance.objects.filter(deputy=deputy, course__starts_on__year=year)
        .annotate(
            kind=Value(0, output_field=IntegerField()), row_id=F("pk"), ref_id=F("course_id"),
            other_id=F("course__organizer_id"), text1=F("course__title"), text2=F("course__organizer__name"),
            text3=Value("", output_field=CharField()), text4=Value("", output_field=CharField()),
            number=Value(0, output_field=IntegerField()), date1=F("course__starts_on"), date2=F("course__ends_on"),
            date3=Value(None, output_field=DateField()), moment=Value(None, output_field=DateTimeField()),
            flag=F("course__is_centralized"),
        )
        .values_list(*ROW_SHAPE)
        .order_by()
    )
    escalation_rows = (
        Escalation.objects.filter(deputy=deputy)
        .filter(Q(period__start__year=year) | ~Q(status=Escalation.Status.RESOLVED))
        .annotate(
            kind=Value(1, output_field=IntegerField()), row_id=F("pk"), ref_id=F("period_id"),
            other_id=F("period_id"), text1=F("status"), text2=F("status"), text3=Value("", output_field=CharField()), text4=Value("", output_field=CharField()),
            number=F("step"),
            date1=F("period__start"), date2=F("period__end"), date3=F("make_up_by"), moment=F("created_at"),
            flag=Value(False, output_field=BooleanField()),
        )
        .values_list(*ROW_SHAPE)
        .order_by()
    )
    leave_requests = []
    training = []
    escalations = []
    for kind, row_id, ref_id, other_id, text1, text2, text3, text4, number, date1, date2, date3, moment, flag in (
        training_rows.union(escalation_rows, leave_rows, all=True)
    ):
        if kind == 0:
            course = TrainingCourse(
                pk=ref_id, title=text1, organizer=Jurisdiction(pk=other_id, name=text2),
                starts_on=date1, ends_on=date2, is_centralized=flag,
            )
            training.append(TrainingAttendance(pk=row_id, course=course, deputy=deputy))
        elif kind == 2:
            activity = Activity(pk=ref_id, title=text2, slot=text4, date=date1)
            leave_requests.append(LeaveRequest(pk=row_id, deputy=deputy, activity=activity, status=text1, reason=text3))
        else:
            period = ReceptionPeriod(pk=ref_id, start=date1, end=date2)
            escalations.append(
                Escalation(
                    pk=row_id, deputy=deputy, period=period, status=text1, step=number, make_up_by=date3,
                    created_at=moment,
                )
            )
    leave_requests.sort(key=lambda r: (r.activity.date, r.pk))
    training.sort(key=lambda t: (t.course.starts_on, t.pk))
    escalations.sort(key=lambda e: (e.created_at, e.pk), reverse=True)

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
