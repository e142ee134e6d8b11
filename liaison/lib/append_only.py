"""Append-only records: timelines, the points ledger and the audit log are written once and never
changed or deleted through the application, neither one row at a time nor in bulk. (On
PostgreSQL the audit log is also guarded by a trigger and by grants: docs/security.md.)"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ChoiceDisplayMixin


class AppendOnlyError(ValidationError, ValueError):
    """Raised on any attempt to change or delete an append-only row. A ValidationError, so views
    can show it as a message; a ValueError for callers that treat it as a programming error."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise self.model.append_only_error(self.model.changed_message, code="immutable")

    def delete(self):
        raise self.model.append_only_error(self.model.deleted_message, code="immutable")


class AppendOnlyModel(ChoiceDisplayMixin, models.Model):
    """Subclasses may set their own messages, or a subclass of AppendOnlyError to raise."""

    append_only_error = AppendOnlyError
    changed_message = _("This record cannot be changed.")
    deleted_message = _("This record cannot be deleted.")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            raise self.append_only_error(self.changed_message, code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.append_only_error(self.deleted_message, code="immutable")
