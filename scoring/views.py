"""Pages of the points system: the deputy's score page, claims and their verification, reviews,
standings (live and published), annual written reports and export jobs."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.lib.pagination import BoundedPaginator
from liaison.lib.params import year_param
from liaison.lib.permissions import get_visible_or_404, role_required, scope_to_staff
from liaison.lib.uploads import serve_file
from liaison.lib.views import show_error
from liaison.models import Role
from liaison.security.audit import audited
from offices.models import Deputy, Jurisdiction, Office
from offices.selectors import (
    deputies_visible_to,
    deputy_for_request,
    deputy_for_user,
    jurisdictions_visible_to,
    liaison_office_ids,
)

from . import services
from .forms import AnnualReportForm, ClaimForm, ExportForm, ReasonForm, ReviewDecisionForm
from .models import AnnualReport, Category, Claim, Entry, ExportJob, Review, Snapshot, SnapshotRow
from .selectors import (
    RankedStandings,
    annual_report_facts,
    apply_caps,
    claims_visible_to,
    deputy_standing,
    entries_visible_to,
    reports_visible_to,
    reviews_visible_to,
    snapshot_rows_visible_to,
    staff_can_review,
    standing_fill_from_entries,
    standings_fill_detail,
)
from .tasks import export_run

# Organization staff only: the system administrator runs accounts and configuration and sees no
# deputy's points (separation of duties, docs/security.md §2 c).
STAFF = (Role.ORG_STAFF,)
# Annual reports are published inside the system [000 十二] to those who work with deputies: not to
# unit handlers nor to the three administrators.
REPORT_READERS = (Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)


# ---------------------------------------------------------------- score page


def entry_source_links(entries):
    """URL of each entry's source, loading the sources one query per source type."""
    by_type = defaultdict(set)
    for e in entries:
        by_type[e.source_type_id].add(e.source_id)
    links = {}
    for e in entries:
        model = e.source_type.model_class()
        if model is Claim:
            links[e.pk] = reverse("scoring:claim_detail", args=[e.source_id])
        elif model is Review:
            links[e.pk] = reverse("scoring:review_detail", args=[e.source_id])
    loaded = {}
    for type_id, ids in by_type.items():
        sample = next(e for e in entries if e.source_type_id == type_id)
        model = sample.source_type.model_class()
        if model in (Claim, Review) or model is None or not hasattr(model, "get_absolute_url"):
            continue
        loaded[type_id] = model._default_manager.in_bulk(ids)
    for e in entries:
        obj = loaded.get(e.source_type_id, {}).get(e.source_id)
        if obj is not None:
            try:
                links[e.pk] = obj.get_absolute_url()
            except NoReverseMatch:
                # The source app's pages are not installed (or not yet): show the entry unlinked
                # rather than failing the whole score page.
                pass
    return links


def points_chart(entries, year):
    """Cumulative points month by month for an inline SVG: at the end of each month, the year's
    entries so far capped exactly as the totals are (`apply_caps`: one cap per item across
    rule-set versions), so the last bar is the deputy's total. `entries` carry their rule item
    and its rule set."""
    per_item = defaultdict(int)
    items = {}
    by_month = defaultdict(list)
    for e in entries:
        if e.year == year:
            by_month[e.occurred_on.month].append(e)
    cumulative = []
    for month in range(1, 13):
        for e in by_month.get(month, ()):
            per_item[e.rule_item_id] += e.points
            items[e.rule_item_id] = e.rule_item
        cumulative.append(sum(apply_caps(dict(per_item), items).values()))
    monthly = [value - (cumulative[i - 1] if i else 0) for i, value in enumerate(cumulative)]
    top = max(cumulative + [10])
    width, height, left, bottom = 600, 200, 40, 24
    plot_h = height - bottom - 10
    step = (width - left - 10) / 12
    bars = []
    points = []
    for i, value in enumerate(cumulative):
        x = left + i * step
        h = plot_h * value / top
        bars.append(
            {"x": round(x + step * 0.15, 1), "y": round(10 + plot_h - h, 1), "w": round(step * 0.7, 1),
             "h": round(h, 1), "month": i + 1, "value": value, "gain": monthly[i],
             "label_x": round(x + step / 2, 1)}
        )
        points.append(f"{round(x + step / 2, 1)},{round(10 + plot_h - h, 1)}")
    return {
        "width": width, "height": height, "bars": bars, "line": " ".join(points), "top": top,
        "axis_y": 10 + plot_h, "label_y": height - 6, "left": left,
    }


def _attach_links(entries):
    links = entry_source_links(entries)
    for e in entries:
        e.link = links.get(e.pk)
    return links


def score_context(*, deputy, year, viewer):
    # The deputy's ranks from the kept yearly totals: the city's ledger is not aggregated per page.
    mine, counts = deputy_standing(deputy=deputy, year=year)
    entries = list(
        Entry.objects.filter(deputy=deputy, year=year)
        .select_related("rule_item__rule_set", "source_type", "reverses")
        .prefetch_related("reviews")
        .order_by("-occurred_on", "-id")
    )
    if mine is not None:
        standing_fill_from_entries(mine, entries)
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    items = {}
    for e in entries:
        items[e.rule_item_id] = e.rule_item
    by_item = []
    if mine:
        for item_id, points in sorted(mine.by_item.items(), key=lambda kv: (items[kv[0]].number, items[kv[0]].variant)):
            by_item.append({"item": items[item_id], "points": points})
    categories = [
        {"label": label, "points": (mine.by_category.get(value, 0) if mine else 0)}
        for value, label in Category.choices
    ]
    # The claims still waiting and those refused in the year, in one query (split below).
    claims = list(
        Claim.objects.filter(
            Q(status__in=[Claim.Status.SUBMITTED, Claim.Status.CONFIRMED])
            | Q(status=Claim.Status.REFUSED, occurred_on__year=year),
            deputy=deputy,
        )
        .select_related("rule_item")
        .order_by("-created_at", "-id")
    )
    snapshot_row = (
        SnapshotRow.objects.filter(deputy=deputy, snapshot__year=year).select_related("snapshot")
        .order_by("-snapshot__quarter").first()
    )
    return {
        "deputy": deputy,
        "year": year,
        "mine": mine,
        "counts": counts,
        "entries": entries,
        "reversed_ids": reversed_ids,
        "pending_review_ids": {r.entry_id for e in entries for r in e.reviews.all() if r.status == Review.Status.PENDING},
        "links": _attach_links(entries),
        "by_item": by_item,
        "categories": categories,
        "chart": points_chart(entries, year),
        "snapshot_row": snapshot_row,
        "pending_claims": [c for c in claims if c.status != Claim.Status.REFUSED],
        "refused_claims": [c for c in claims if c.status == Claim.Status.REFUSED],
        "reviews": Review.objects.filter(deputy=deputy).select_related("entry__rule_item").order_by("-requested_at")[:20],
        "is_own": deputy.user_id == viewer.pk,
    }


@role_required(Role.DEPUTY)
def my_points(request):
    deputy = deputy_for_user(request.user)
    if deputy is None:
        raise Http404
    year = year_param(request, timezone.localdate().year)
    return render(request, "scoring/score.html", score_context(deputy=deputy, year=year, viewer=request.user))


@role_required(Role.ORG_STAFF, Role.LIAISON, Role.DEPUTY)
def deputy_points(request, pk):
    """Staff, the office's liaison and a team leader see a deputy's score page."""
    deputy = get_visible_or_404(deputies_visible_to(user=request.user), pk=pk)
    year = year_param(request, timezone.localdate().year)
    return render(request, "scoring/score.html", score_context(deputy=deputy, year=year, viewer=request.user))


# ---------------------------------------------------------------- claims


@role_required(Role.DEPUTY, Role.LIAISON)
def claim_create(request):
    if request.user.role == Role.DEPUTY:
        deputy = deputy_for_user(request.user)
        if deputy is None:
            raise Http404
        deputies = None
    else:
        deputy = None
        deputies = Deputy.objects.filter(
            memberships__team__office_id__in=liaison_office_ids(request.user), status=Deputy.Status.SERVING
        ).distinct()
    year = timezone.localdate().year
    # The form lists the claimable items of the set that applies this year to the deputy (or, for a
    # liaison, to their office's district).
    if deputy is not None:
        district_id = deputy.district_id
    else:
        office = Office.objects.filter(pk__in=liaison_office_ids(request.user)).first()
        district_id = office.district_id if office else None
    rule_set = services.rule_set_for(district_id=district_id, year=year)
    form = ClaimForm(request.POST or None, request.FILES or None, rule_set=rule_set, deputies=deputies)
    if request.method == "POST" and form.is_valid():
        target = deputy or form.cleaned_data["deputy"]
        office = None
        if deputies is not None:
            office = Office.objects.filter(
                pk__in=liaison_office_ids(request.user), team__memberships__deputy=target
            ).first()
        try:
            claim = services.claim_submit(
                deputy=target,
                rule_item=form.cleaned_data["rule_item"],
                occurred_on=form.cleaned_data["occurred_on"],
                quantity=form.cleaned_data["quantity"],
                description=form.cleaned_data["description"],
                evidence=form.cleaned_data.get("evidence"),
                actor=request.user,
                office=office,
            )
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("The claim was submitted."))
            return redirect("scoring:claim_detail", pk=claim.pk)
    return render(request, "scoring/claim_form.html", {"form": form, "rule_set": rule_set})


@role_required(Role.DEPUTY, Role.LIAISON, *STAFF)
def claim_list(request):
    qs = claims_visible_to(user=request.user)
    status = request.GET.get("status")
    if status is None:
        # Each role opens on the claims waiting for them.
        status = {Role.LIAISON: Claim.Status.SUBMITTED, Role.ORG_STAFF: Claim.Status.CONFIRMED}.get(request.user.role, "")
    if status:
        qs = qs.filter(status=status)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(deputy__name__icontains=q) | Q(deputy__name_initials__icontains=q.upper()))
    # Newest first in the order of the claim_created indexes; counted up to the bound (the city
    # holds 150,000 claims at 20,000 deputies: a full count was 70 ms).
    page = BoundedPaginator(qs.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(
        request, "scoring/claim_list.html",
        {"page": page, "status": status, "statuses": Claim.Status.choices, "q": q},
    )


def _claim_or_404(request, pk):
    return get_visible_or_404(claims_visible_to(user=request.user), pk=pk)


def _claim_actions(user, claim):
    return {a for a in Claim.TRANSITIONS if services.claim_actor_may(claim=claim, action=a, actor=user)}


@role_required(Role.DEPUTY, Role.LIAISON, *STAFF)
def claim_detail(request, pk):
    claim = _claim_or_404(request, pk)
    return render(
        request, "scoring/claim_detail.html",
        {"claim": claim, "actions": _claim_actions(request.user, claim), "events": claim.events.select_related("actor"),
         "reason_form": ReasonForm()},
    )


@role_required(Role.LIAISON, *STAFF)
@require_POST
def claim_transition(request, pk, action):
    claim = _claim_or_404(request, pk)
    if action not in _claim_actions(request.user, claim):
        raise PermissionDenied
    try:
        if action == "confirm":
            services.claim_confirm(claim=claim, actor=request.user)
            messages.success(request, _("The claim was confirmed and passed to the organization department."))
        elif action == "verify":
            services.claim_verify(claim=claim, actor=request.user)
            messages.success(request, _("The claim was verified; its points count."))
        else:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the reason for the refusal."))
                return redirect("scoring:claim_detail", pk=claim.pk)
            services.claim_refuse(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The claim was refused."))
    except ValidationError as exc:
        show_error(request, exc)
    return redirect("scoring:claim_detail", pk=claim.pk)


@role_required(Role.DEPUTY, Role.LIAISON, *STAFF)
def claim_evidence(request, pk):
    claim = _claim_or_404(request, pk)
    return serve_file(claim.evidence)


# ---------------------------------------------------------------- reviews


@role_required(Role.DEPUTY)
def review_request(request, entry_pk):
    entry = get_visible_or_404(entries_visible_to(user=request.user), pk=entry_pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_request(entry=entry, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Your request for a review was sent to the review group."))
            return redirect("scoring:review_detail", pk=review.pk)
    return render(request, "scoring/review_request.html", {"entry": entry, "form": form})


@role_required(Role.DEPUTY, *STAFF)
def review_list(request):
    if request.user.role != Role.DEPUTY and not staff_can_review(request.user):
        raise PermissionDenied
    qs = reviews_visible_to(user=request.user)
    status = request.GET.get("status", Review.Status.PENDING if request.user.role != Role.DEPUTY else "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-requested_at"), 30).get_page(request.GET.get("page"))
    return render(
        request, "scoring/review_list.html", {"page": page, "status": status, "statuses": Review.Status.choices}
    )


@role_required(Role.DEPUTY, *STAFF)
def review_detail(request, pk):
    if request.user.role != Role.DEPUTY and not staff_can_review(request.user):
        raise PermissionDenied
    review = get_visible_or_404(reviews_visible_to(user=request.user), pk=pk)
    can_decide = staff_can_review(request.user) and review.status == Review.Status.PENDING
    form = ReviewDecisionForm(request.POST or None, initial={"corrected_points": review.entry.points})
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.review_decide(
                    review=review,
                    accept=form.cleaned_data["decision"] == "accept",
                    corrected_points=form.cleaned_data["corrected_points"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                show_error(request, exc, form=form)
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("scoring:review_detail", pk=review.pk)
    return render(request, "scoring/review_detail.html", {"review": review, "form": form, "can_decide": can_decide})


# ---------------------------------------------------------------- standings


def _staff_office_choices(user):
    if user.role == Role.LIAISON:
        return Office.objects.filter(pk__in=liaison_office_ids(user))

    return scope_to_staff(Office.objects.filter(team__isnull=False), user)


@role_required(Role.ORG_STAFF, Role.LIAISON)
def standings(request):
    """Rankings city-wide, within a district, or within an office (the seed's order [002 附件1 三]),
    live from the ledger or from a published quarterly snapshot."""
    user = request.user
    year = year_param(request, timezone.localdate().year)
    offices = _staff_office_choices(user).order_by("district__name", "name")
    districts = jurisdictions_visible_to(user=user).filter(
        level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
    )
    snapshots = list(Snapshot.objects.filter(year=year))
    scope = request.GET.get("scope") or ("office" if user.role == Role.LIAISON else "city")
    if user.role == Role.LIAISON:
        scope = "office"
    elif user.staff_district_id and scope == "city":
        scope = "district"
    district_id = request.GET.get("district") or user.staff_district_id
    office_id = request.GET.get("office")
    if user.staff_district_id:
        district_id = user.staff_district_id
    # One read of the picker's offices (637 at city scale), as plain pairs: no model instances.
    office_pairs = list(offices.values_list("pk", "name"))
    office_ids = [pk for pk, _name in office_pairs]
    if scope == "office":
        try:
            office_id = int(office_id) if office_id else (office_ids[0] if office_ids else None)
        except ValueError:
            office_id = None
        if office_id not in office_ids:
            office_id = office_ids[0] if office_ids else None
    snapshot = None
    snap_param = request.GET.get("snapshot", "")
    if snap_param:
        snapshot = next((s for s in snapshots if str(s.pk) == snap_param), None)
    q = (request.GET.get("q") or "").strip()
    rank_field = {"city": "rank_city", "district": "rank_district", "office": "rank_office"}[
        scope if scope in ("city", "district", "office") else "city"
    ]
    if snapshot is not None:
        qs = snapshot_rows_visible_to(user=user, snapshot=snapshot)
        if scope == "district" and district_id:
            qs = qs.filter(district_id=district_id)
        if scope == "office":
            qs = qs.filter(office_id=office_id)
        if q:
            qs = qs.filter(deputy_name__icontains=q)
        rows = qs.order_by(rank_field, "deputy_name")
    else:
        # Ranked and cut by the database: only the page's rows are built in Python.
        scope_district = scope_office = None
        if scope == "district" and district_id:
            scope_district = district_id
        elif scope == "office":
            scope_office = office_id or -1  # no office in the viewer's scope: no rows
        elif user.staff_district_id:
            scope_district = user.staff_district_id
        if scope_district is not None and not str(scope_district).isdigit():
            scope_district = -1
        rows = RankedStandings(year=year, rank_field=rank_field, district_id=scope_district,
                               office_id=scope_office, q=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page_rows = list(page.object_list)
    if snapshot is None:
        # Ranks come from the totals of every deputy; the breakdown only for the rows shown.
        standings_fill_detail(page_rows, year=year)
    names_d = Jurisdiction.objects.in_bulk({r.district_id for r in page_rows})
    names_o = Office.objects.in_bulk({r.office_id for r in page_rows if r.office_id})
    categories = Category.choices
    table = [
        {
            "row": r,
            "rank": getattr(r, rank_field),
            "district": names_d.get(r.district_id),
            "office": names_o.get(r.office_id),
            "categories": [r.by_category.get(value, 0) for value, _label in categories],
        }
        for r in page_rows
    ]
    return render(
        request,
        "scoring/standings.html",
        {
            "page": page, "table": table, "year": year, "scope": scope, "snapshot": snapshot, "snapshots": snapshots,
            "districts": districts, "offices": [(str(pk), name, pk == office_id) for pk, name in office_pairs], "district_id": str(district_id or ""),
            "office_id": office_id, "q": q, "categories": categories,
            "can_publish": user.is_superuser or (user.role == Role.ORG_STAFF and user.is_city_staff),
        },
    )


@role_required(*STAFF)
@require_POST
def snapshot_publish(request):
    if not (request.user.is_superuser or request.user.is_city_staff):
        raise PermissionDenied
    try:
        year = int(request.POST.get("year"))
        quarter = int(request.POST.get("quarter"))
    except (TypeError, ValueError):
        messages.error(request, _("Choose the year and the quarter."))
        return redirect("scoring:standings")
    try:
        snapshot = services.snapshot_publish(year=year, quarter=quarter, actor=request.user)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect(f"{reverse('scoring:standings')}?year={year}")
    messages.success(request, _("The standings of %(year)s Q%(quarter)s are published.") % {"year": year, "quarter": quarter})
    return redirect(f"{reverse('scoring:standings')}?year={year}&snapshot={snapshot.pk}")


# ---------------------------------------------------------------- annual reports


@role_required(Role.DEPUTY)
def report_mine(request):
    deputy = deputy_for_user(request.user)
    if deputy is None:
        raise Http404
    year = year_param(request, timezone.localdate().year)
    report = AnnualReport.objects.filter(deputy=deputy, year=year).first()
    if report and report.status == AnnualReport.Status.SUBMITTED:
        return redirect("scoring:report_detail", pk=report.pk)
    form = AnnualReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.annual_report_save(
                deputy=deputy, year=year, body=form.cleaned_data["body"], submit="submit" in request.POST,
                actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            if report.status == AnnualReport.Status.SUBMITTED:
                messages.success(request, _("Your annual report was submitted and is now published in the system."))
                return redirect("scoring:report_detail", pk=report.pk)
            messages.success(request, _("The draft was saved."))
            return redirect(f"{reverse('scoring:report_mine')}?year={year}")
    return render(
        request, "scoring/report_form.html",
        {"form": form, "year": year, "facts": annual_report_facts(deputy=deputy, year=year), "deputy": deputy},
    )


@role_required(*REPORT_READERS)
def report_detail(request, pk):
    report = get_visible_or_404(reports_visible_to(user=request.user), pk=pk)
    return render(request, "scoring/report_detail.html", {"report": report, "facts": report.facts})


@role_required(*REPORT_READERS)
def report_list(request):
    """Published reports for everyone in the system; staff also see who has not submitted."""
    year = year_param(request, timezone.localdate().year)
    qs = reports_visible_to(user=request.user).filter(year=year, status=AnnualReport.Status.SUBMITTED)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(deputy__name__icontains=q)
    page = Paginator(qs.order_by("deputy__name_initials"), 30).get_page(request.GET.get("page"))
    missing = None
    if request.user.role in STAFF or request.user.is_superuser:
        missing_qs = (
            deputies_visible_to(user=request.user)
            .filter(status=Deputy.Status.SERVING)
            .exclude(pk__in=AnnualReport.objects.filter(year=year, status=AnnualReport.Status.SUBMITTED).values("deputy_id"))
            .order_by("name_initials")
        )
        missing = Paginator(missing_qs, 50).get_page(request.GET.get("mpage"))
    return render(request, "scoring/report_list.html", {"page": page, "missing": missing, "year": year, "q": q})


# ---------------------------------------------------------------- exports


@role_required(*STAFF)
def export_list(request):
    districts = jurisdictions_visible_to(user=request.user).filter(
        level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
    )
    form = ExportForm(request.POST or None, districts=districts, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        district = form.cleaned_data["district"]
        if district is None and request.user.staff_district_id:
            district = Jurisdiction.objects.get(pk=request.user.staff_district_id)
        job = ExportJob.objects.create(
            kind=form.cleaned_data["kind"], year=form.cleaned_data["year"], district=district, requested_by=request.user
        )
        transaction.on_commit(lambda: export_run.delay(job.pk))
        return redirect("scoring:export_detail", pk=job.pk)
    jobs = ExportJob.objects.filter(requested_by=request.user).select_related("district")[:20]
    return render(request, "scoring/export_list.html", {"form": form, "jobs": jobs})


def _job_or_404(request, pk):
    return get_visible_or_404(ExportJob.objects.filter(requested_by=request.user).select_related("district"), pk=pk)


@role_required(*STAFF)
def export_detail(request, pk):
    return render(request, "scoring/export_detail.html", {"job": _job_or_404(request, pk)})


@role_required(*STAFF)
def export_status(request, pk):
    job = _job_or_404(request, pk)
    return JsonResponse(
        {
            "status": job.status, "percent": job.percent, "done": job.done_rows, "total": job.total_rows,
            "download": reverse("scoring:export_download", args=[job.pk]) if job.status == ExportJob.Status.DONE else "",
            "error": job.error,
        }
    )


@role_required(*STAFF)
@audited("points_export_downloaded", model=ExportJob, object_kwarg="pk")
def export_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != ExportJob.Status.DONE:
        raise Http404
    return serve_file(job.file, as_attachment=True)


# ---------------------------------------------------------------- panels


def deputy_panel(request):
    from django.template.loader import render_to_string

    deputy = deputy_for_request(request)
    if deputy is None:
        return ""
    year = timezone.localdate().year
    mine, _counts = deputy_standing(deputy=deputy, year=year, office=False)
    return render_to_string("scoring/panel_deputy.html", {"mine": mine, "year": year}, request)


def queue_panel(request):
    from django.template.loader import render_to_string

    qs = claims_visible_to(user=request.user)
    status = Claim.Status.SUBMITTED if request.user.role == Role.LIAISON else Claim.Status.CONFIRMED
    n = qs.filter(status=status).count()
    n_reviews = (
        reviews_visible_to(user=request.user).filter(status=Review.Status.PENDING).count()
        if staff_can_review(request.user) else 0
    )
    if not n and not n_reviews:
        return ""
    return render_to_string("scoring/panel_queue.html", {"claims": n, "reviews": n_reviews}, request)

