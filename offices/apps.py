from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "offices"
    verbose_name = _("Organization")

    def ready(self):
        from liaison.export_run_services import register_exporters

        # The background exports of this app's pages (liaison.export_services.export_request).
        register_exporters(
            attendance_sheet="offices.attendance_sheet.attendance_sheet_export_build",
        )
