"""Excel export of any admin change list: one action that the shared admin base
(ExportActionMixin, inherited by offices.admin.scoping.ScopedAdminMixin) adds to every ModelAdmin of the
portal's apps. It
exports what the change list holds for this viewer — the ModelAdmin's scoped get_queryset with the
current filters and search (all of them with "select all", else the ticked rows) — in the
list's own columns, through the shared exporter base (write-only xlsx, formula-like cells
neutralized). Each export is audited."""

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.db import models
from django.shortcuts import redirect
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .export_services import export_request
from .lib.admin import QuickActionCheckboxMixin
from .lib.exporters import ListExporter
from .services import audit_record


class ChangeListExporter(ListExporter):
    def __init__(self, *, modeladmin, request, queryset):
        self.modeladmin = modeladmin
        self.queryset = queryset
        opts = modeladmin.model._meta
        self.fields = [f for f in modeladmin.get_list_display(request) if f != "action_checkbox"]
        self.title = str(opts.verbose_name_plural)
        self.filename = f"{opts.app_label}-{opts.model_name}"
        self.written = 0

    def count(self):
        return self.queryset.count()

    def header(self):
        return [strip_tags(str(label_for_field(f, self.modeladmin.model, self.modeladmin))) for f in self.fields]

    def cell(self, name, obj):
        try:
            field, attr, value = lookup_field(name, obj, self.modeladmin)
        except (AttributeError, models.ObjectDoesNotExist):
            return None
        boolean = getattr(attr, "boolean", False) or isinstance(field, models.BooleanField)
        if boolean:
            return None if value is None else (_("Yes") if value else _("No"))
        if field is not None:
            if getattr(field, "flatchoices", None):
                return str(dict(field.flatchoices).get(value, value if value is not None else ""))
            if isinstance(field, models.ForeignKey | models.OneToOneField):
                return None if value is None else str(value)
            if isinstance(value, int | float | models.Model) or value is None:
                return value if not isinstance(value, models.Model) else str(value)
            if hasattr(value, "isoformat"):
                return value
            return strip_tags(str(display_for_field(value, field, "")))
        if value is None or isinstance(value, int | float) or hasattr(value, "isoformat"):
            return value
        return strip_tags(str(value))

    def rows(self):
        for obj in self.queryset.iterator(chunk_size=1000):
            self.written += 1
            yield [self.cell(name, obj) for name in self.fields]


@admin.action(description=gettext_lazy("Export to Excel"), permissions=["view"])
def export_xlsx(modeladmin, request, queryset):
    """Queue the export of the change list's rows: a worker writes the file (a whole city's
    deputies take a while) while the requester follows the job's progress page. The rows are
    the ones ticked, or all the filtered list holds with "select all", by primary key; the worker
    scopes them again through the ModelAdmin as the requester."""
    opts = modeladmin.model._meta
    pks = list(queryset.order_by().values_list("pk", flat=True))
    job = export_request(
        user=request.user, exporter="admin_changelist", title=str(opts.verbose_name_plural),
        params={"model": opts.label_lower, "pks": pks},
    )
    audit_record(
        action="admin_export",
        request=request,
        model=opts.label_lower,
        rows=len(pks),
        filters=request.GET.urlencode()[:500],
    )
    return redirect("exports:detail", pk=job.pk)


def admin_changelist_export_build(job):
    """The exporter of a background change-list export (liaison.export_services): the ModelAdmin
    of the model, its scoped queryset and its columns as the requester gets them."""
    from django.apps import apps
    from django.test import RequestFactory

    model = apps.get_model(job.params["model"])
    modeladmin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = job.requested_by
    queryset = modeladmin.get_queryset(request).filter(pk__in=job.params["pks"])
    ordering = modeladmin.get_ordering(request) or model._meta.ordering or ["pk"]
    return ChangeListExporter(modeladmin=modeladmin, request=request, queryset=queryset.order_by(*ordering, "pk"))


class ExportActionMixin(QuickActionCheckboxMixin):
    """Adds the export action to a ModelAdmin, whatever its own `actions` list says (and draws
    the action checkboxes quickly: liaison.lib.admin.QuickActionCheckboxMixin)."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET or "export_xlsx" in actions:
            return actions
        if self.has_view_permission(request):
            actions["export_xlsx"] = (export_xlsx, "export_xlsx", export_xlsx.short_description)
        return actions
