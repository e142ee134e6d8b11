from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "liaison"
    verbose_name = _("Accounts and system")

    def ready(self):
        from .security import checks, signals  # noqa: F401 (registers deploy checks, connects the audit receivers)
