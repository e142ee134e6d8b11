from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reception"
    verbose_name = _("Reception")

    def ready(self):
        from liaison.export_run_services import register_exporters

        from . import attendance_version, panel_version

        # Attendance and period writes retire the sheet's cached totals (attendance_version).
        attendance_version.connect()
        # The deputy's cached home panel follows its rows (panel_version).
        from .models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod

        panel_version.connect(
            activity=Activity, period=ReceptionPeriod,
            deputy_rows=(ActivityParticipant, Attendance, Escalation, LeaveRequest),
        )

        # The background export of the attendance sheet (liaison.export_services.export_request).
        register_exporters(attendance_sheet="reception.attendance_exporters.attendance_sheet_export_build")
