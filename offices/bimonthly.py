"""The office's report to the higher liaison body every two months [004 第十二条], generated from
the records: activities held by kind, deputies' attendance, households visited, and the cases
received with where they stand. A page for liaisons (their offices) and org staff (their scope),
and the same rows as an Excel file.

Three aggregate queries for any number of offices: the page of offices, activities grouped by
office, cases grouped by office.
"""

import datetime

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.export_services import export_request
from liaison.lib.exporters import ListExporter
from liaison.lib.permissions import role_required
from liaison.models import Role
from liaison.services import audit_record
from reception.models import Activity

from .selectors import offices_visible_to

KINDS = Activity.Kind


def bimester_bounds(year, bimester):
    """First and last day of the two-month window `bimester` (1 = Jan–Feb … 6 = Nov–Dec)."""
    first = datetime.date(year, 2 * bimester - 1, 1)
    after = datetime.date(year + 1, 1, 1) if bimester == 6 else datetime.date(year, 2 * bimester + 1, 1)
    return first, after - datetime.timedelta(days=1)


def office_bimonthly_figures(*, offices, start, end):
    """{office_id: figures} for the offices given (a list), between two dates inclusive."""
    from cases.models import COUNTED_SOURCES, Case, Satisfaction, Status

    ids = [o.pk for o in offices]
    logged = Activity.objects.filter(
        office_id__in=ids, date__range=(start, end), status=Activity.Status.LOGGED
    )
    activity_rows = logged.values("office_id").annotate(
        activities=Count("id", distinct=True),
        households=Sum("households", distinct=False),
        **{f"kind_{k}": Count("id", filter=Q(kind=k), distinct=True) for k in KINDS.values},
    )
    # Attendance is counted apart: joining participants into the row above would multiply
    # households by the number of participants.
    attendance_rows = logged.values("office_id").annotate(
        attendances=Count("participants", filter=Q(participants__attended=True))
    )
    case_rows = (
        Case.objects.filter(office_id__in=ids, received_on__range=(start, end))
        .values("office_id")
        .annotate(
            cases=Count("id"),
            answered=Count("id", filter=~Q(spot_answer="")),
            archived=Count("id", filter=Q(status=Status.ARCHIVED)),
            # Only the resident's own rating or a non-owner's follow-up counts.
            very=Count("id", filter=Q(satisfaction=Satisfaction.VERY, satisfaction_source__in=COUNTED_SOURCES)),
            basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC, satisfaction_source__in=COUNTED_SOURCES)),
            dissatisfied=Count(
                "id", filter=Q(satisfaction=Satisfaction.DISSATISFIED, satisfaction_source__in=COUNTED_SOURCES)
            ),
        )
    )
    empty = {"activities": 0, "households": 0, "attendances": 0, "cases": 0, "answered": 0, "archived": 0,
             "very": 0, "basic": 0, "dissatisfied": 0, **{f"kind_{k}": 0 for k in KINDS.values}}
    figures = {pk: dict(empty) for pk in ids}
    for rows in (activity_rows, attendance_rows, case_rows):
        for row in rows:
            figures[row.pop("office_id")].update({k: v or 0 for k, v in row.items()})
    return figures


class BimonthlyForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    bimester = forms.TypedChoiceField(
        label=gettext_lazy("Months"), coerce=int,
        choices=[(i, f"{2 * i - 1}–{2 * i}") for i in range(1, 7)],
    )


def _columns():
    return [
        _("Office"), _("District"), _("Activities held"),
        *[str(label) for label in KINDS.labels],
        _("Deputies attending"), _("Households visited"), _("Cases received"), _("Answered on the spot"),
        _("Archived"), _("Very satisfied"), _("Basically satisfied"), _("Dissatisfied"),
    ]


def _row(office, f):
    return [
        office.name, str(office.district or ""), f["activities"],
        *[f[f"kind_{k}"] for k in KINDS.values],
        f["attendances"], f["households"], f["cases"], f["answered"], f["archived"], f["very"], f["basic"],
        f["dissatisfied"],
    ]


class BimonthlyExporter(ListExporter):
    def __init__(self, offices, start, end):
        self.offices, self.start, self.end = offices, start, end
        self.title = _("Bi-monthly report")
        self.filename = f"bimonthly-{start:%Y%m}"

    def count(self):
        return self.offices.count()

    def header(self):
        return _columns()

    def rows(self):
        # In pages of offices, so that memory stays flat for a whole city.
        paginator = Paginator(self.offices, 500)
        for number in paginator.page_range:
            chunk = list(paginator.page(number).object_list)
            figures = office_bimonthly_figures(offices=chunk, start=self.start, end=self.end)
            for office in chunk:
                yield _row(office, figures[office.pk])


def _offices(user):
    return offices_visible_to(user=user).filter(is_active=True).order_by("district__name", "name")


def bimonthly_export_build(job):
    """The exporter of a background bi-monthly report export (liaison.export_services): the
    offices the requester may see when the job runs."""
    start, end = bimester_bounds(job.params["year"], job.params["bimester"])
    return BimonthlyExporter(_offices(job.requested_by), start, end)


@role_required(Role.LIAISON, Role.ORG_STAFF)
def bimonthly_report(request):
    today = timezone.localdate()
    # By default the last complete two months.
    default_bimester = (today.month - 1) // 2 or 6
    default_year = today.year if (today.month - 1) // 2 else today.year - 1
    form = BimonthlyForm(request.GET or {"year": default_year, "bimester": default_bimester})
    offices = _offices(request.user)
    if not form.is_valid():
        return render(request, "offices/bimonthly.html", {"form": form, "page": None}, status=400)
    start, end = bimester_bounds(form.cleaned_data["year"], form.cleaned_data["bimester"])
    if request.GET.get("format") == "xlsx":
        audit_record(action="bimonthly_report_exported", request=request, start=str(start), end=str(end))
        job = export_request(
            user=request.user, exporter="bimonthly_report",
            params={"year": form.cleaned_data["year"], "bimester": form.cleaned_data["bimester"]},
            title=_("Bi-monthly report %(start)s to %(end)s") % {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"},
        )
        return redirect("exports:detail", pk=job.pk)
    page = Paginator(offices, 50).get_page(request.GET.get("page"))
    figures = office_bimonthly_figures(offices=page.object_list, start=start, end=end)
    rows = [(office, _row(office, figures[office.pk])[2:]) for office in page.object_list]
    return render(request, "offices/bimonthly.html", {
        "form": form, "page": page, "rows": rows, "columns": _columns()[2:], "start": start, "end": end,
    })
