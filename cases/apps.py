from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Public-opinion cases")

    def ready(self):
        from liaison.export_run_services import register_exporters
        from liaison.export_selectors import register_job_list
        from offices.models import Jurisdiction, Office

        from . import inbox_sort_services, reach_version
        from .export_services import case_export_rows
        from .models import Case, CaseDispatch, Category
        from .queue_selectors import categories_changed

        # The queues' category filter is cached under a version (queue_selectors.category_options).
        post_save.connect(categories_changed, sender=Category, dispatch_uid="case-categories-save")
        post_delete.connect(categories_changed, sender=Category, dispatch_uid="case-categories-delete")

        # The deputies' cached case reads (the queue, the home panel) follow every case write.
        reach_version.connect(case_model=Case, dispatch_model=CaseDispatch)

        # The staff's case list exports, in everyone's "my exports" (liaison.export_views).
        register_job_list(case_export_rows)
        # The background export of the units' year-end review (liaison.export_services.export_request).
        register_exporters(unit_review="cases.exporters.unit_review_export_build")
        # The inbox's sort keys on each share follow a renamed office or district (issue 10):
        # offices cannot call cases, so every save of either reaches the shares from here.
        for model in (Office, Jurisdiction):
            pre_save.connect(inbox_sort_services.name_before_save, sender=model,
                             dispatch_uid=f"inbox-sort-keys-name-{model.__name__}")
        post_save.connect(inbox_sort_services.office_saved, sender=Office, dispatch_uid="inbox-sort-keys-office")
        post_save.connect(
            inbox_sort_services.jurisdiction_saved, sender=Jurisdiction, dispatch_uid="inbox-sort-keys-district"
        )

