"""The attendance sheet as Excel (liaison.lib.exporters), built by a background export job
(liaison.export_services); registered in ReceptionConfig.ready()."""

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from liaison.lib.exporters import ListExporter
from liaison.models import Role
from offices.selectors import jurisdictions_visible_to, offices_visible_to, teams_visible_to

from .attendance_selectors import (
    sheet_deputies,
    sheet_district_ids,
    sheet_filter,
    sheet_filter_outcome,
    sheet_rows,
)

EXPORT_CHUNK = 500


class AttendanceSheetExporter(ListExporter):
    """The sheet as Excel, streamed in chunks so that memory stays flat for a whole city."""

    def __init__(self, deputies, key):
        self.deputies, self.key = deputies, key
        self.title = _("Attendance sheet")
        self.filename = f"attendance-{key}"

    def count(self):
        return self.deputies.count()

    def header(self):
        return [
            _("District"), _("Deputy"), _("Level"), _("Team"), _("Office"), _("Fixed community"), _("Outcome"),
            _("Activity date"), _("Activity"), _("Leave reason"),
        ]

    def rows(self):
        paginator = Paginator(self.deputies, EXPORT_CHUNK)
        for number in paginator.page_range:
            for row in sheet_rows(paginator.page(number).object_list):
                d, activity = row["deputy"], row["activity"]
                yield [
                    d.district.name, d.name, d.get_level_display(),
                    "、".join(t.name for t in row["teams"]),
                    "、".join(o.name for o in row["offices"]),
                    "、".join(c.name for c in row["communities"]),
                    str(row["outcome_label"]),
                    activity.date if activity else None,
                    activity.title if activity else "",
                    row["leave_reason"],
                ]


def attendance_sheet_export_build(job):
    """The exporter of a background attendance sheet export (liaison.export_services): the
    filters the page had, applied within the requester's scope as it is when the job runs; a
    filter naming an object the requester may no longer see matches nothing."""
    user, f = job.requested_by, job.params
    picked, gone = {}, False
    scopes = {"office": offices_visible_to(user=user), "team": teams_visible_to(user=user)}
    if user.role == Role.ORG_STAFF:
        scopes["district"] = jurisdictions_visible_to(user=user)
    for name, queryset in scopes.items():
        if f.get(name):
            picked[name] = queryset.filter(pk=f[name]).first()
            gone = gone or picked[name] is None
    deputies = sheet_filter(
        sheet_deputies(user=user, key=f["period"], district_ids=sheet_district_ids(user=user)),
        q=f.get("q", ""), **picked,
    )
    if gone:
        deputies = deputies.none()
    if f.get("outcome"):
        deputies = sheet_filter_outcome(deputies, key=f["period"], outcome=f["outcome"])
    return AttendanceSheetExporter(deputies, f["period"])
