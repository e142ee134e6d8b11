"""Each deputy's performance file 履职档案, kept by the office's liaison [004 第十二条(五)]: "a complete
record of the deputy's work at the office". Nothing is stored for it: the file is assembled, per
deputy and year, from the records the other parts of the portal already keep (attendance, activities,
contact network, cases, proposals, inquiries, training, points, the annual report, escalations).

The assembly reads a fixed number of queries whatever the number of records, and shows nothing of
residents' personal data (no reporter names, phones or addresses; contacts are counted, not named),
so opening a file needs no audit entry; its Excel export is audited like every export.
"""

from collections import Counter

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from liaison.lib.exporters import RowsExporter, WorkbookExporter, xlsx_response
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.widgets import LongSelect
from liaison.models import Role
from liaison.security.audit import audited
from reception.models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod

from .models import Contact, ContactVisit, Deputy, FixedCommunity, TeamMembership, TrainingAttendance
from .selectors import deputy_for_user, offices_visible_to, performance_files_visible_to, teams_visible_to

# The file page lists this many cases; the Excel file lists them all.
CASES_SHOWN = 10
PAGE_SIZE = 30


def _proposal_in_year(year, prefix=""):
    """A proposal or motion belongs to the year it was filed in; one not filed yet (collecting
    co-signatures, withdrawn before filing) to the year it was written in."""
    return Q(**{f"{prefix}filed_on__year": year}) | Q(
        **{f"{prefix}filed_on__isnull": True, f"{prefix}created_at__year": year}
    )


def performance_file(*, deputy, year, viewer):
    """Everything the file shows for `deputy` in `year`, read for `viewer` (who decides which case,
    proposal, inquiry and report pages the file links to). A fixed number of queries."""
    from cases.models import Case, Inquiry, Proposal, ProposalCosigner, ProposalKind, ProposalStatus
    from cases.models import Status as CaseStatus
    from cases.proposal_selectors import inquiries_visible_to, proposals_visible_to
    from cases.selectors import cases_visible_to
    from scoring.models import AnnualReport, Category, Entry, SnapshotRow
    from scoring.selectors import capped_item_totals, reports_visible_to

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

    # Cases received and owned, by the year they were received in.
    received_ids = Case.received_by.through.objects.filter(deputy=deputy).values("case_id")
    mine = Q(owner=deputy) | Q(pk__in=received_ids)
    cases = list(
        Case.objects.filter(mine, received_on__year=year)
        .select_related("category")
        .only("pk", "title", "status", "received_on", "owner_id", "category__name", "tracking_code")
        .order_by("-received_on", "-pk")
    )
    received = set(
        Case.received_by.through.objects.filter(deputy=deputy, case__received_on__year=year).values_list(
            "case_id", flat=True
        )
    )
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


# --- Excel: one workbook, a sheet per section -------------------------------------------------------


def _yes_no(value):
    if value is None:
        return ""
    return _("yes") if value else _("no")


def _period_label(period):
    return f"{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}"


def performance_file_workbook(f):
    d = f["deputy"]
    snapshot_row, ranked, report = f["snapshot_row"], f["ranked"], f["report"]
    profile = [
        (pgettext("person", "Name"), d.name),
        (_("Gender"), d.get_gender_display()),
        (_("Level"), d.get_level_display()),
        (_("Congress term"), d.term),
        (_("Work unit"), d.work_unit),
        (_("Position"), d.position),
        (_("Leadership-team member"), _yes_no(d.is_leadership_member)),
        (_("Status"), d.get_status_display()),
        (_("District"), str(d.district)),
        (_("Fixed communities"), "、".join(c.name for c in f["communities"])),
        *[
            (_("Team"), f"{m.team.name} · {m.team.office.name} · {_('Leader') if m.is_leader else _('Member')}")
            for m in f["memberships"]
        ],
        (_("Contacts in the network"), f["contacts"]["total"]),
        (_("Paired households in difficulty"), f["contacts"]["pairing"]),
        (_("Visits to contacts this year"), f["contacts"]["visits"]),
        (_("Annual written report"), _report_status(report)),
    ]
    sheets = [
        RowsExporter(_("Profile"), [_("Item"), _("Value")], profile),
        RowsExporter(
            _("Attendance"),
            [_("Reception period"), _("Outcome"), _("Activity")],
            [
                (
                    _period_label(row["period"]),
                    row["record"].get_outcome_display() if row["record"] else _("Not recorded yet"),
                    str(row["record"].activity) if row["record"] and row["record"].activity else "",
                )
                for row in f["attendance"]
            ],
        ),
        RowsExporter(
            _("Leave requests"),
            [_("Activity"), _("Reason"), _("Status")],
            [(str(x.activity), x.reason, x.get_status_display()) for x in f["leave_requests"]],
        ),
        RowsExporter(
            _("Activities"),
            [_("Date"), _("Half-day"), _("Kind"), _("Title"), _("Office"), _("Status"), _("Attended"), _("Households visited")],
            [
                (
                    p.activity.date, p.activity.get_slot_display(), p.activity.get_kind_display(), p.activity.title,
                    p.activity.office.name, p.activity.get_status_display(), _yes_no(p.attended),
                    p.activity.households if p.activity.kind == Activity.Kind.HOUSEHOLD_VISIT else "",
                )
                for p in f["participations"]
            ],
        ),
        RowsExporter(
            _("Cases"),
            [_("Date received"), _("Title"), _("Category"), _("Status"), pgettext("deputy's cases", "Received"), _("Owner")],
            [
                (c.received_on, c.title, c.category.name, c.get_status_display(), _yes_no(c.is_received), _yes_no(c.is_owned))
                for c in f["cases"]
            ],
        ),
        RowsExporter(
            _("Proposals and motions"),
            [_("Kind"), _("Title"), _("Lead deputy"), _("Status"), _("Filed on"), _("Responsible unit")],
            [
                (_("Lead motion") if p.is_motion else _("Proposal"), p.title, d.name, p.get_status_display(),
                 p.filed_on, str(p.unit or ""))
                for p in f["proposals"] + f["motions"]
            ]
            + [
                (_("Co-signed motion"), c.proposal.title, c.proposal.lead.name, c.proposal.get_status_display(),
                 c.proposal.filed_on, str(c.proposal.unit or ""))
                for c in f["cosigned"]
            ],
        ),
        RowsExporter(
            _("Inquiries"),
            [_("Date"), _("Kind"), _("Topic"), _("Unit questioned")],
            [(i.date, i.get_kind_display(), i.topic, str(i.target_unit)) for i in f["inquiries"]],
        ),
        RowsExporter(
            _("Training"),
            [_("Course"), _("Organized by"), _("Starts on"), _("Ends on"), _("Centralized training")],
            [
                (t.course.title, str(t.course.organizer), t.course.starts_on, t.course.ends_on, _yes_no(t.course.is_centralized))
                for t in f["training"]
            ],
        ),
        RowsExporter(
            _("Points"),
            [_("Item"), _("Value")],
            (
                [
                    (_("Published standings"), str(snapshot_row.snapshot)),
                    (_("Total points"), snapshot_row.total),
                    *[(str(c["label"]), c["points"]) for c in f["categories"]],
                    (_("Rank in the city"), f"{snapshot_row.rank_city} / {ranked['city']}"),
                    (_("Rank in the district"), f"{snapshot_row.rank_district} / {ranked['district']}"),
                    (_("Rank in the office"), f"{snapshot_row.rank_office} / {ranked['office']}" if snapshot_row.rank_office else ""),
                ]
                if snapshot_row
                else [(_("Published standings"), _("None published for this year yet"))]
            )
            + [(_("Points in the ledger so far"), f["ledger_total"])],
        ),
        RowsExporter(
            _("Escalations"),
            [_("Reception period"), _("Step"), _("Status"), _("Make up by")],
            [(_period_label(e.period), e.get_step_display(), e.get_status_display(), e.make_up_by) for e in f["escalations"]],
        ),
    ]
    return WorkbookExporter(sheets, filename=f"performance-file-{d.pk}-{f['year']}")


def _report_status(report):
    if report is None:
        return _("Not started")
    if report.submitted_at:
        return f"{report.get_status_display()} {timezone.localtime(report.submitted_at):%Y-%m-%d}"
    return report.get_status_display()


# --- Pages ------------------------------------------------------------------------------------------------


def _year(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    return max(2000, min(today.year + 1, year))


def _years():
    this = timezone.localdate().year
    return list(range(this, this - 10, -1))


@role_required(Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
def performance_file_detail(request, pk):
    deputy = get_visible_or_404(performance_files_visible_to(user=request.user), pk=pk)
    year = _year(request)
    context = performance_file(deputy=deputy, year=year, viewer=request.user)
    context["years"] = _years()
    context["is_own"] = deputy.user_id == request.user.pk
    return render(request, "offices/performance_file.html", context)


@role_required(Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
@audited("performance_file_exported", model=Deputy, object_kwarg="pk")
def performance_file_export(request, pk):
    deputy = get_visible_or_404(performance_files_visible_to(user=request.user), pk=pk)
    f = performance_file(deputy=deputy, year=_year(request), viewer=request.user)
    return xlsx_response(performance_file_workbook(f))


@role_required(Role.DEPUTY)
def my_performance_file(request):
    deputy = deputy_for_user(request.user)
    if deputy is None:
        from django.http import Http404

        raise Http404
    url = redirect("offices:performance_file", pk=deputy.pk).url
    if request.GET.get("year"):
        url += f"?year={_year(request)}"
    return redirect(url)


class PerformanceFileFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or pinyin initials"), required=False, max_length=50)
    # City staff choose among every office and team of the city: hundreds of options.
    office = forms.ModelChoiceField(label=gettext_lazy("Office"), queryset=None, required=False, widget=LongSelect)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, required=False, widget=LongSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices_visible_to(user=user).order_by("name")
        self.fields["team"].queryset = teams_visible_to(user=user).order_by("name")
        self.fields["office"].empty_label = _("All offices")
        self.fields["team"].empty_label = _("All teams")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["q"]:
            q = d["q"].strip()
            qs = qs.filter(Q(name__icontains=q) | Q(name_initials__startswith=q.lower()))
        if d["office"]:
            qs = qs.filter(
                Q(memberships__team__office=d["office"]) | Q(fixed_links__community_id=d["office"].jurisdiction_id)
            )
        if d["team"]:
            qs = qs.filter(memberships__team=d["team"])
        return qs.distinct()


@role_required(Role.LIAISON, Role.ORG_STAFF)
def performance_file_list(request):
    """The deputies whose files the liaison or staff member keeps, to find one and open it."""
    form = PerformanceFileFilter(request.GET or None, user=request.user)
    qs = form.filter(performance_files_visible_to(user=request.user)) if form.is_bound else (
        performance_files_visible_to(user=request.user)
    )
    qs = qs.order_by("name_initials", "name", "pk").prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.select_related("team__office").order_by("team__name"))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "offices/performance_file_list.html", {"form": form, "page": page})
