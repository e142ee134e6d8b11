"""Year-end lists as exporter classes [000 十三 十四]: standings with the item breakdown, the
commendation 优秀党代表 and nomination lists, and the review log. Rows are yielded one by one so the
write-only workbook keeps memory flat whatever the number of deputies."""

from django.utils.translation import gettext as _

from liaison.lib.exporters import ListExporter
from offices.models import Jurisdiction, Office

from .models import Category, Review, RuleItem
from .selectors import standings_compute


class StandingsExporter(ListExporter):
    filename = "standings"

    def __init__(self, *, year, district=None):
        self.year = year
        self.district = district
        self.title = _("Standings %(year)s") % {"year": year}
        self._rows = None

    def _standings(self):
        if self._rows is None:
            rows = standings_compute(year=self.year)
            if self.district is not None:
                rows = [r for r in rows if r.district_id == self.district.pk]
            self._rows = rows
            self.items = list(
                RuleItem.objects.filter(pk__in={i for r in rows for i in r.by_item}).order_by("rule_set", "number", "variant")
            )
            self.districts = Jurisdiction.objects.in_bulk({r.district_id for r in rows})
            self.offices = Office.objects.in_bulk({r.office_id for r in rows if r.office_id})
        return self._rows

    def count(self):
        return len(self._standings())

    def header(self):
        self._standings()
        head = [_("City rank"), _("District rank"), _("Office rank"), _("Deputy"), _("District"), _("Office"), _("Total points")]
        head += [label for _v, label in Category.choices]
        head += [str(i) for i in self.items]
        return head

    def rows(self):
        for r in self._standings():
            district = self.districts.get(r.district_id)
            office = self.offices.get(r.office_id)
            yield (
                [r.rank_city, r.rank_district, r.rank_office, r.name, district.name if district else "",
                 office.name if office else "", r.total]
                + [r.by_category.get(v, 0) for v, _l in Category.choices]
                + [r.by_item.get(i.pk, 0) for i in self.items]
            )


class RankingListExporter(StandingsExporter):
    """The top of the year's standings, as the basis for commendation 优秀党代表 [000 十四] or for the
    next term's nomination [000 十三]. The share is a default the department adjusts in the file."""

    share = 0.1

    def __init__(self, *, year, district=None, kind="commendation"):
        super().__init__(year=year, district=district)
        self.kind = kind
        self.filename = kind
        self.title = (
            _("Commendation list %(year)s") if kind == "commendation" else _("Nomination list %(year)s")
        ) % {"year": year}

    def _standings(self):
        rows = super()._standings()
        if not hasattr(self, "_cut"):
            n = max(1, round(len(rows) * self.share)) if rows else 0
            # Ties at the cut are all included: ranks, not positions, decide.
            limit_rank = rows[n - 1].rank_city if n else 0
            self._cut = [r for r in rows if r.total > 0 and r.rank_city <= limit_rank]
        return self._cut

    def header(self):
        self._standings()
        return [_("City rank"), _("Deputy"), _("District"), _("Office"), _("Total points")] + [
            label for _v, label in Category.choices
        ]

    def rows(self):
        for r in self._standings():
            district = self.districts.get(r.district_id)
            office = self.offices.get(r.office_id)
            yield [r.rank_city, r.name, district.name if district else "", office.name if office else "", r.total] + [
                r.by_category.get(v, 0) for v, _l in Category.choices
            ]


class ReviewLogExporter(ListExporter):
    filename = "reviews"

    def __init__(self, *, year, district=None):
        self.year = year
        self.district = district
        self.title = _("Review log %(year)s") % {"year": year}

    def _qs(self):
        qs = Review.objects.filter(requested_at__year=self.year).select_related(
            "deputy", "deputy__district", "entry__rule_item", "decided_by"
        )
        if self.district is not None:
            qs = qs.filter(deputy__district=self.district)
        return qs.order_by("requested_at")

    def count(self):
        return self._qs().count()

    def header(self):
        return [_("Requested at"), _("Deputy"), _("District"), _("Item"), _("Points"), _("Reason for the request"),
                _("Status"), _("Corrected points"), _("Reason for the decision"), _("Decided by"), _("Decided at")]

    def rows(self):
        for r in self._qs().iterator(chunk_size=1000):
            yield [r.requested_at, r.deputy.name, r.deputy.district.name, str(r.entry.rule_item), r.entry.points,
                   r.reason, r.get_status_display(), r.corrected_points, r.decision_reason,
                   str(r.decided_by) if r.decided_by else "", r.decided_at]


def exporter_for(job):
    if job.kind == "standings":
        return StandingsExporter(year=job.year, district=job.district)
    if job.kind in ("commendation", "nomination"):
        return RankingListExporter(year=job.year, district=job.district, kind=job.kind)
    return ReviewLogExporter(year=job.year, district=job.district)
