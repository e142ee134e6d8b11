from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = _("Performance points")

    def ready(self):
        from liaison.export_selectors import register_job_list

        from .selectors import points_export_rows

        # The points exports, in everyone's "my exports" (liaison.export_views).
        register_job_list(points_export_rows)
