from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Public-opinion cases")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from liaison.export_run_services import register_exporters
        from liaison.export_selectors import register_job_list

        from .export_services import case_export_rows
        from .models import Category
        from .queue_selectors import categories_changed

        # The queues' category filter is cached under a version (queue_selectors.category_options).
        post_save.connect(categories_changed, sender=Category, dispatch_uid="case-categories-save")
        post_delete.connect(categories_changed, sender=Category, dispatch_uid="case-categories-delete")

        # The staff's case list exports, in everyone's "my exports" (liaison.export_views).
        register_job_list(case_export_rows)
        # The background export of the units' year-end review (liaison.export_services.export_request).
        register_exporters(unit_review="cases.exporters.unit_review_export_build")
