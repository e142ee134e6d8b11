"""The office's report to the higher liaison body every two months [004 第十二条], generated from
the records: activities held by kind, deputies' attendance, households visited, and the cases
received with where they stand. Shown as a page to liaisons (their offices) and org staff (their
scope) (bimonthly_views), and as the same rows in an Excel file (bimonthly_exporters).

Three aggregate queries for any number of offices: the page of offices, activities grouped by
office, cases grouped by office.
"""

import datetime

from django.db.models import Count, Q, Sum

from cases.models import COUNTED_SOURCES, Case, Satisfaction, Status
from offices import rules
from offices.selectors import offices_visible_to
from reception.models import Activity

KINDS = Activity.Kind
MONTHS = rules.LIAISON_REPORT_MONTHS
BIMESTERS = 12 // MONTHS


def bimester_bounds(year, bimester):
    """First and last day of the two-month window `bimester` (1 = Jan–Feb … 6 = Nov–Dec)."""
    first = datetime.date(year, MONTHS * (bimester - 1) + 1, 1)
    after = datetime.date(year + 1, 1, 1) if bimester == BIMESTERS else datetime.date(year, MONTHS * bimester + 1, 1)
    return first, after - datetime.timedelta(days=1)


def bimonthly_offices_visible_to(*, user):
    """The offices `user` reports on: the active ones in their scope, in report order."""
    return offices_visible_to(user=user).filter(is_active=True).order_by("district__name", "name")


def office_bimonthly_figures(*, offices, start, end):
    """{office_id: figures} for the offices given (a list), between two dates inclusive."""
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
