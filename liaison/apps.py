from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "liaison"
    verbose_name = _("Accounts and system")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .security import accounts, checks, signals  # noqa: F401 (registers deploy checks, connects the audit receivers)
        from .security.database import grant_app_role_after_migrate

        accounts.connect()

        post_migrate.connect(grant_app_role_after_migrate, sender=self, dispatch_uid="liaison_grant_app_role")

        from .export_run_services import register_exporters

        register_exporters(
            admin_changelist="liaison.admin_export.admin_changelist_export_build",
            audit_log="liaison.security.audit.audit_log_export_build",
        )
