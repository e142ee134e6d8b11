"""Excel exports of cases: the year-end review of the units 回头看, and the staff's case list.
Both go through liaison.lib.exporters.ListExporter (write-only xlsx, formula-like text neutralized)."""

from django.utils.translation import gettext as _

from liaison.lib.exporters import ListExporter

from .review_selectors import as_reviews, review_totals, unit_review_queryset


def _rate(value):
    return "" if value is None else value


class UnitReviewExporter(ListExporter):
    filename = "unit-review"

    def __init__(self, *, user, year, district=None, q=""):
        self.user, self.year, self.district, self.q = user, year, district, q
        self.title = _("Year-end review %(year)s") % {"year": year}

    def header(self):
        return [
            _("Responsible unit"), _("District"), _("Received"), _("Replied"), _("Replied on time"),
            _("Solved"), _("Very satisfied"), _("Basically satisfied"), _("Dissatisfied"), _("Closed"),
            _("On-time rate (percent)"), _("Closure rate (percent)"), _("Satisfaction rate (percent)"),
        ]

    def reviews(self):
        return as_reviews(unit_review_queryset(user=self.user, year=self.year, district=self.district, q=self.q))

    def rows(self):
        reviews = self.reviews()
        for r in [*reviews, review_totals(reviews)]:
            yield [
                r.name or _("Total"), r.district, r.received, r.replied, r.on_time, r.solved, r.very, r.basic,
                r.dissatisfied, r.closed, _rate(r.on_time_rate), _rate(r.closure_rate), _rate(r.satisfaction_rate),
            ]
