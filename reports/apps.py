from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The top floor (issue 13): read models that span the other apps — the staff dashboard, the
    bi-monthly report, the deputies' performance files. No models; it may import every app, and
    no app imports it (only the root URLconf does)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from liaison.export_run_services import register_exporters

        # The background export of the bi-monthly report (liaison.export_services.export_request).
        register_exporters(bimonthly_report="reports.bimonthly_exporters.bimonthly_export_build")
        # A deputy's performance file (reports.performance_views.performance_file_export).
        register_exporters(performance_file="reports.performance_exporters.performance_file_export_build")
