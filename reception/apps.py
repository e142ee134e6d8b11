from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reception"
    verbose_name = _("Reception")
