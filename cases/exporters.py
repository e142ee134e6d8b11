"""Excel exports of cases: the year-end review of the units 回头看 (a background export,
liaison.export_services, registered in CasesConfig.ready as "unit_review"), and the staff's case
list. Both go through liaison.lib.exporters.ListExporter (write-only xlsx, formula-like text
neutralized)."""

from django.utils.translation import gettext as _

from liaison.lib.exporters import ListExporter
from liaison.lib.validators import mask_mobile

from .review_forms import ReviewFilterForm
from .review_selectors import as_reviews, cases_for_export, review_totals, unit_review_queryset
from .selectors import staff_covers


def _rate(value):
    return "" if value is None else value


class UnitReviewExporter(ListExporter):
    filename = "unit-review"

    def __init__(self, *, user, year, district=None, q=""):
        self.user, self.year, self.district, self.q = user, year, district, q
        self.title = _("Year-end review %(year)s") % {"year": year}

    def header(self):
        return [
            _("Responsible unit"), _("District"), _("Dispatches received"), _("Replied"), _("Replied on time"),
            _("Solved"), _("Very satisfied"), _("Basically satisfied"), _("Dissatisfied"), _("Closed"),
            _("On-time rate (percent)"), _("Closure rate (percent)"), _("Satisfaction rate (percent)"),
        ]

    def reviews(self):
        if getattr(self, "_reviews", None) is None:
            # One grouped query; a row per unit, so the list is short (hundreds at city scale).
            self._reviews = as_reviews(
                unit_review_queryset(user=self.user, year=self.year, district=self.district, q=self.q)
            )
        return self._reviews

    def count(self):
        return len(self.reviews()) + 1  # and the totals row

    def rows(self):
        reviews = self.reviews()
        for r in [*reviews, review_totals(reviews)]:
            yield [
                r.name or _("Total"), r.district, r.received, r.replied, r.on_time, r.solved, r.very, r.basic,
                r.dissatisfied, r.closed, _rate(r.on_time_rate), _rate(r.closure_rate), _rate(r.satisfaction_rate),
            ]


def unit_review_export_build(job):
    """The exporter of a background unit review export (liaison.export_services): the page's
    filters read again by the page's own form within the requester's scope as it is when the job
    runs (a district the requester may no longer see is refused by the form: its defaults)."""
    year, district, q = ReviewFilterForm(job.params, user=job.requested_by).filters()
    return UnitReviewExporter(user=job.requested_by, year=year, district=district, q=q)


def mask_address(value):
    """东和路8号3栋201 → 东和路****: the street, not the door."""
    value = str(value or "")
    if not value:
        return ""
    return value[: min(3, max(len(value) // 3, 1))] + "****"


class CaseListExporter(ListExporter):
    """The staff's case list with filters. Residents' phones and addresses are masked unless the
    export asked for them and the requester handles the case (staff covering its district)."""

    filename = "cases"

    def __init__(self, *, user, filters, personal_data=False):
        self.user, self.filters, self.personal_data = user, filters or {}, personal_data
        self.title = _("Public-opinion cases")

    def queryset(self):
        return cases_for_export(user=self.user, filters=self.filters)

    def count(self):
        return self.queryset().count()

    def header(self):
        return [
            _("Tracking code"), _("Date received"), _("Channel"), _("Category"), _("Title"), _("Content"),
            _("Status"), _("Office"), _("District"), _("Owner"), _("Reporter's name"), _("Reporter's mobile"),
            _("Reporter's address"), _("On-the-spot answer"), _("Responsible units"), _("Reply deadline"),
            _("Unit replies"), _("Satisfaction"), _("Feedback to the resident"), _("Forward by"),
        ]

    def _clear(self, case):
        return self.personal_data and staff_covers(self.user, case)

    def rows(self):
        for case in self.queryset().iterator(chunk_size=500):
            dispatches = list(case.dispatches.all())
            current = [d for d in dispatches if d.round == case.dispatch_round]
            replies = [
                f"{d.unit.name} ({d.round}): {d.get_result_display()} {d.reply}".strip()
                for d in dispatches if d.replied_at
            ]
            clear = self._clear(case)
            if case.is_anonymous:
                name, mobile, address = _("Anonymous"), "", ""
            else:
                name = case.reporter_name
                mobile = case.reporter_mobile if clear else mask_mobile(case.reporter_mobile) if case.reporter_mobile else ""
                address = case.reporter_address if clear else mask_address(case.reporter_address)
            yield [
                case.tracking_code, case.received_on, case.get_channel_display(), case.category.name, case.title,
                case.content, case.get_status_display(), case.office.name,
                case.district.name if case.district_id else "", case.owner.name if case.owner_id else "",
                name, mobile, address, case.spot_answer, "、".join(d.unit.name for d in current),
                min((d.deadline for d in current), default=None), "\n".join(replies),
                case.get_satisfaction_display() if case.satisfaction else "", case.feedback_note, case.forward_due,
            ]
