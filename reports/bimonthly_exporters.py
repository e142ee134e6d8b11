"""The bi-monthly report as an Excel file, run in the background (liaison.export_services names
`bimonthly_export_build` under "bimonthly_report"). The page shows the same columns and rows."""

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from liaison.lib.exporters import ListExporter

from .bimonthly_selectors import KINDS, bimester_bounds, bimonthly_offices_visible_to, office_bimonthly_figures


def bimonthly_header():
    return [
        _("Office"), _("District"), _("Activities held"),
        *[str(label) for label in KINDS.labels],
        _("Deputies attending"), _("Households visited"), _("Cases received"), _("Answered on the spot"),
        _("Archived"), _("Very satisfied"), _("Basically satisfied"), _("Dissatisfied"),
    ]


def bimonthly_row(office, f):
    """One office's row under bimonthly_header(), from its office_bimonthly_figures."""
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
        return bimonthly_header()

    def rows(self):
        # In pages of offices, so that memory stays flat for a whole city.
        paginator = Paginator(self.offices, 500)
        for number in paginator.page_range:
            chunk = list(paginator.page(number).object_list)
            figures = office_bimonthly_figures(offices=chunk, start=self.start, end=self.end)
            for office in chunk:
                yield bimonthly_row(office, figures[office.pk])


def bimonthly_export_build(job):
    """The exporter of a background bi-monthly report export (liaison.export_services): the
    offices the requester may see when the job runs."""
    start, end = bimester_bounds(job.params["year"], job.params["bimester"])
    return BimonthlyExporter(bimonthly_offices_visible_to(user=job.requested_by), start, end)
