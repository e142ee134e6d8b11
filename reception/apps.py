from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reception"
    verbose_name = _("Reception")

    def ready(self):
        from liaison.export_run_services import register_exporters

        # The background export of the attendance sheet (liaison.export_services.export_request).
        register_exporters(attendance_sheet="reception.attendance_exporters.attendance_sheet_export_build")
