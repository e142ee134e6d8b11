"""A deputy's performance file as one Excel workbook, a sheet per section, from the dict
performance_selectors.performance_file assembles; written by a background export
(liaison.export_services, "performance_file", registered in ReportsConfig.ready)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from liaison.lib.exporters import RowsExporter, WorkbookExporter
from offices.selectors import performance_files_visible_to
from reception.models import Activity

from .performance_selectors import performance_file, with_file_counts


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


def performance_file_export_build(job):
    """The exporter of a background performance file export: the file of the deputy in
    `job.params`, if the requester may still see it when the job runs (the job fails otherwise)."""
    year, viewer = job.params["year"], job.requested_by
    deputy = with_file_counts(performance_files_visible_to(user=viewer), year=year, viewer=viewer).get(pk=job.params["deputy"])
    return performance_file_workbook(performance_file(deputy=deputy, year=year, viewer=viewer))
