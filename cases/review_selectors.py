"""Year-end review 回头看 of the responsible units [000 七], with the closure and satisfaction rates
of [003] (结案率, 满意率).

The unit of account is one dispatch 交办 (a case sent to a unit in one round); a case dispatched
again after a dissatisfied resident counts again, because the unit handled it again. For a year,
the dispatches made in that year (Asia/Shanghai) are counted, per unit:

- received: dispatches to the unit;
- replied, replied on time (on or before the deadline staff set), solved (result "solved");
- very / basically satisfied / dissatisfied: the resident's satisfaction with the round, as the
  resident gave it through the SMS link or a non-owner's phone follow-up recorded it (never what
  the owner typed: COUNTED_SOURCES). The case keeps the satisfaction of its latest round; an
  earlier round was dispatched again, which the workflow allows only after a dissatisfied
  resident, so it counts as dissatisfied;
- closed: the case was archived with this round;
- closure rate = closed / received; satisfaction rate = (very + basically) / rounds rated;
  on-time rate = replied on time / received.

The counts are aggregations of the shares with their cases (cases.unit_figures_services.
review_figures), kept per unit and year by the services that change them: one query reads the
units of a page (or of the export) with their row of the year, whatever the number of cases.
"""

import datetime
from dataclasses import dataclass, fields

from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Coalesce

from liaison.models import Role
from offices.models import Deputy, Office, Unit

from .deadline_selectors import case_overdue_q
from .models import CaseDispatch, ReviewBulletin
from .search import case_search_q
from .selectors import cases_visible_to
from .unit_figures_services import REVIEW_FIELDS

CITY_LEVEL = "city"


def review_units_visible_to(*, user):
    """Units whose review a user may see: every unit for city staff, their district's units for
    district staff, none for anyone else."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    if user.role != Role.ORG_STAFF or user.jurisdiction_id is None:
        return Unit.objects.none()
    district_id = user.staff_district_id
    if district_id is None:
        return Unit.objects.all()
    return Unit.objects.filter(district_id=district_id)


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class UnitReview:
    unit_id: int
    name: str
    district: str
    received: int
    replied: int
    on_time: int
    solved: int
    very: int
    basic: int
    dissatisfied: int
    closed: int

    @property
    def rated(self):
        return self.very + self.basic + self.dissatisfied

    @property
    def on_time_rate(self):
        return _percent(self.on_time, self.received)

    @property
    def closure_rate(self):
        return _percent(self.closed, self.received)

    @property
    def satisfaction_rate(self):
        return _percent(self.very + self.basic, self.rated)

    def share(self, count):
        """Part of the rated rounds, in percent (very / basically / dissatisfied)."""
        return _percent(count, self.rated)

    @property
    def very_rate(self):
        return self.share(self.very)

    @property
    def basic_rate(self):
        return self.share(self.basic)

    @property
    def dissatisfied_rate(self):
        return self.share(self.dissatisfied)


def unit_review_queryset(*, user, year, district=None, q=""):
    """The units in the viewer's scope, annotated with the year's figures, busiest first.
    `district` narrows city staff to one district's units (or CITY_LEVEL for city-level units)."""
    units = review_units_visible_to(user=user)
    if district == CITY_LEVEL:
        units = units.filter(district__isnull=True)
    elif district:
        units = units.filter(district_id=district)
    if q:
        units = units.filter(name__icontains=q)
    # The figures are kept per unit and year (cases.unit_figures_services): one row per unit
    # instead of aggregating the year's shares with their cases (issue 10: 80,000 shares, 1.5 s).
    figures = FilteredRelation("year_figures", condition=Q(year_figures__year=year))
    return (
        units.annotate(figures=figures)
        .annotate(**{name: Coalesce(F(f"figures__{name}"), 0) for name in REVIEW_FIELDS})
        .select_related("district")
        .order_by("-received", "name")
    )


def as_reviews(units):
    return [
        UnitReview(
            unit_id=u.pk, name=u.name, district=u.district.name if u.district_id else "",
            received=u.received, replied=u.replied, on_time=u.on_time, solved=u.solved, very=u.very,
            basic=u.basic, dissatisfied=u.dissatisfied, closed=u.closed,
        )
        for u in units
    ]


def review_totals(reviews):
    fields = ("received", "replied", "on_time", "solved", "very", "basic", "dissatisfied", "closed")
    return UnitReview(unit_id=0, name="", district="", **{f: sum(getattr(r, f) for r in reviews) for f in fields})


def cases_for_export(*, user, filters):
    """The cases a staff member's export contains: their visible cases, narrowed by the filters
    of CaseExportForm.to_filters()."""
    from django.db.models import Prefetch

    qs = cases_visible_to(user=user)
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("category"):
        qs = qs.filter(category_id=f["category"])
    if f.get("district"):
        qs = qs.filter(district_id=f["district"])
    if f.get("received_from"):
        qs = qs.filter(received_on__gte=datetime.date.fromisoformat(f["received_from"]))
    if f.get("received_to"):
        qs = qs.filter(received_on__lte=datetime.date.fromisoformat(f["received_to"]))
    if f.get("q"):
        qs = qs.filter(case_search_q(f["q"]))
    if f.get("overdue"):
        qs = qs.filter(case_overdue_q())
    return qs.select_related("district", "office", "category", "owner").prefetch_related(
        Prefetch("dispatches", queryset=CaseDispatch.objects.select_related("unit").order_by("round", "id"))
    ).order_by("-received_on", "-id")


def bulletins_visible_to(*, user):
    """Published review bulletins a user may read: city-wide ones for every portal role, and those
    of the districts the user works in (staff: theirs, or all for city staff; liaisons: their
    offices'; deputies: their own and their teams' offices'; unit handlers: their unit's)."""
    qs = ReviewBulletin.objects.select_related("district", "published_by")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_city_staff:
        return qs
    city_wide = Q(district__isnull=True)
    if user.role == Role.ORG_STAFF:
        district_id = user.staff_district_id
        return qs.filter(city_wide | Q(district_id=district_id)) if district_id else qs.none()
    if user.role == Role.LIAISON:
        return qs.filter(city_wide | Q(district_id__in=Office.objects.filter(liaison_links__user=user).values("district_id")))
    if user.role == Role.DEPUTY:
        own = Deputy.objects.filter(user=user).values("district_id")
        teams = Office.objects.filter(team__memberships__deputy__user=user).values("district_id")
        return qs.filter(city_wide | Q(district_id__in=own) | Q(district_id__in=teams))
    if user.role == Role.UNIT_HANDLER:
        if user.unit_id is None:
            return qs.none()
        return qs.filter(city_wide | Q(district_id__in=Unit.objects.filter(pk=user.unit_id).values("district_id")))
    return qs.none()


def reviews_from_rows(rows):
    """UnitReview rows from their stored dicts (cases.bulletin_services.bulletin_rows), a field
    missing from an older row read as 0 or empty."""
    names = [(f.name, f.type) for f in fields(UnitReview)]
    return [UnitReview(**{name: row.get(name, 0 if kind is int else "") for name, kind in names}) for row in rows]


def bulletin_reviews(bulletin):
    """The frozen figures of a bulletin as UnitReview rows, in the published order."""
    return reviews_from_rows(bulletin.rows)
