"""Scoping shared by every admin of the project: foreign-key choices, autocomplete results and
change lists limited to what the staff member manages."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.db import models
from django.db.models import Q
from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.http import Http404
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin_export import ExportActionMixin
from liaison.lib.pagination import AdminPaginator
from liaison.lib.permissions import scope_to_staff
from liaison.lib.uploads import PictureField
from liaison.lib.widgets import LongSelect, PythonWidgetRenderer
from liaison.models import Role, User

from .. import selectors
from ..models import (
    Deputy,
    Jurisdiction,
    Office,
    OfficeLiaison,
    Team,
    Unit,
)

# How to limit foreign-key choices and autocomplete results to what the staff member manages.
CHOICE_SCOPES = {
    Jurisdiction: selectors.jurisdictions_visible_to,
    Office: selectors.offices_visible_to,
    Deputy: selectors.deputies_visible_to,
    Team: selectors.teams_visible_to,
    Unit: selectors.units_visible_to,
}


def _deputy_logins(user):
    """Login accounts a staff member may link to a deputy: deputy accounts not linked to another
    district's deputy."""
    qs = User.objects.filter(role=Role.DEPUTY, is_active=True)
    district_id = user.staff_district_id
    if district_id is not None:
        qs = qs.filter(Q(deputy__isnull=True) | Q(deputy__district_id=district_id))
    elif not (user.is_superuser or user.is_city_staff):
        qs = qs.none()
    return qs.order_by("username")


def _liaison_logins(user):
    """Liaison accounts a staff member may attach to an office: not already serving another
    district's office."""
    qs = User.objects.filter(role=Role.LIAISON, is_active=True)
    district_id = user.staff_district_id
    if district_id is not None:
        qs = qs.exclude(office_links__office__in=Office.objects.exclude(district_id=district_id))
    elif not (user.is_superuser or user.is_city_staff):
        qs = qs.none()
    return qs.order_by("username")


USER_CHOICES = {
    (Deputy, "user"): _deputy_logins,
    (OfficeLiaison, "user"): _liaison_logins,
}


class ChoicesReadOnce(BaseChoiceIterator):
    """A model choice field's options read on first use and kept, shared by the copy of the field
    that each form of an inline makes: every form read the field's queryset again, one query per
    liaison row of an office page (issue 10). Plain (value, label) pairs for LongSelect;
    validation still goes through the field's queryset."""

    def __init__(self, field):
        self.field = field
        self.read = None

    def __iter__(self):
        if self.read is None:
            self.read = self._read()
        return iter(self.read)

    def _read(self):
        field = self.field
        if field.queryset.model is User and type(field).label_from_instance is ModelChoiceField.label_from_instance:
            # Accounts by their two columns, labelled as str() names them (User.label): not 2,000
            # accounts built as model instances for a deputy's login select at 10x.
            first = [("", field.empty_label)] if field.empty_label is not None else []
            rows = field.queryset.values_list("pk", "name", "username")
            return first + [(pk, User.label(name, username)) for pk, name, username in rows]
        return [(getattr(value, "value", value), label) for value, label in ModelChoiceIterator(field)]

    def __deepcopy__(self, memo):
        return self


class ScopedAdminMixin(ExportActionMixin):
    """District staff see and pick only their district's objects: change lists, change views (a
    foreign id in the URL is "not found"), filters, search, autocomplete and foreign-key choices
    all go through get_queryset or the selectors above."""

    district_path = "district"
    # Big tables (the ledger, case timelines, attendance): the count of a change list stops at a
    # bound and the unfiltered total ("N total") is not counted at all (issue 10).
    paginator = AdminPaginator
    show_full_result_count = False
    # Photos get the portal's clear refusals (type, size, pixel cap) instead of Django's
    # catch-all "not a valid image".
    formfield_overrides = {models.ImageField: {"form_class": PictureField}}

    def get_queryset(self, request):
        return scope_to_staff(super().get_queryset(request), request.user, self.district_path)

    def _scope_choices(self, db_field, request, kwargs):
        scope = CHOICE_SCOPES.get(db_field.related_model)
        if db_field.related_model is User and (db_field.model, db_field.name) in USER_CHOICES and "queryset" not in kwargs:
            kwargs["queryset"] = USER_CHOICES[(db_field.model, db_field.name)](request.user)
            # Thousands of accounts (2,000 deputy logins, 650 liaisons at city scale): options
            # written in Python, not one template render each (1.3 s for a deputy's page).
            kwargs.setdefault("widget", LongSelect)
        if scope is not None and "queryset" not in kwargs:
            qs = scope(user=request.user)
            if db_field.remote_field.limit_choices_to:
                qs = qs.complex_filter(db_field.remote_field.limit_choices_to)
            kwargs["queryset"] = qs
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **self._scope_choices(db_field, request, kwargs))
        widget = getattr(getattr(field, "widget", None), "widget", getattr(field, "widget", None))
        if isinstance(widget, LongSelect):
            field.choices = ChoicesReadOnce(field)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._scope_choices(db_field, request, kwargs))

    def _history_visible(self, request, object_id):
        """An object's history is shown only to who may see the object: django-simple-history
        falls back to the historical rows (and its version view reads them directly), which
        would open another district's records."""
        if self.get_queryset(request).filter(pk=object_id).exists():
            return True
        history = getattr(self.model, "history", None)
        if history is None:
            return False
        try:
            past = history.filter(**{self.model._meta.pk.attname: object_id})
            return scope_to_staff(past, request.user, self.district_path).exists() and (
                request.user.is_superuser or request.user.staff_district_id is None
            )
        except (ValueError, TypeError):
            return False

    def history_view(self, request, object_id, extra_context=None):
        if not self._history_visible(request, unquote(object_id)):
            raise Http404
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            # A model without historical records: Django's own log of admin changes.
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._history_visible(request, unquote(object_id)):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


# The autocomplete selects' HTML written in Python (the same as Django's select templates): the
# admin's related-widget wrapper draws its widget without the form's renderer (issue 10).
WIDGET_RENDERER = PythonWidgetRenderer()
# Django's tabular inline with its rows written in Python (liaison's admin_tabular_rows tag).
TABULAR_TEMPLATE = "offices/admin/tabular_inline.html"


class _BatchedLabelsMixin:
    """An autocomplete widget whose selected options' labels can be given to it (`labels`, value ->
    label in the choice queryset's order) instead of read with one query per rendered row. Without
    them (the inline's empty template row) it reads them itself, as Django's widget does."""

    labels = None

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer or WIDGET_RENDERER)

    def _to_field_name(self):
        remote_model_opts = self.field.remote_field.model._meta
        to_field_name = getattr(self.field.remote_field, "field_name", remote_model_opts.pk.attname)
        return remote_model_opts.get_field(to_field_name).attname

    def read_labels(self, values):
        """Value -> label of the given selected values, in the choice queryset's order: one query,
        through the field's (scoped) queryset, so only objects the viewer may see are labelled."""
        wanted = {str(v) for v in values if str(v) not in self.choices.field.empty_values}
        if not wanted:
            return {}
        to_field_name = self._to_field_name()
        return {
            str(getattr(obj, to_field_name)): (getattr(obj, to_field_name), self.choices.field.label_from_instance(obj))
            for obj in self.choices.queryset.using(self.db).filter(**{f"{to_field_name}__in": wanted})
        }

    def optgroups(self, name, value, attr=None):
        if self.labels is None:
            return super().optgroups(name, value, attr)
        # Django's AutocompleteMixin.optgroups with the labels read beforehand.
        default = (None, [], 0)
        groups = [default]
        has_selected = False
        selected_choices = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key, (option_value, option_label) in self.labels.items():
            if key not in selected_choices:
                continue
            selected = str(option_value) in value and (has_selected is False or self.allow_multiple_selected)
            has_selected |= selected
            default[1].append(self.create_option(name, option_value, option_label, selected_choices, len(default[1])))
        return groups


class BatchedAutocompleteSelect(_BatchedLabelsMixin, AutocompleteSelect):
    pass


class BatchedAutocompleteSelectMultiple(_BatchedLabelsMixin, AutocompleteSelectMultiple):
    pass


def _batched_widget(field):
    widget = field.widget
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    return widget if isinstance(widget, _BatchedLabelsMixin) else None


class BatchedLabelsFormSetMixin:
    """Reads the selected labels of every row's autocomplete fields with one query per field for
    the whole formset (issue 10: Django's widget reads them row by row)."""

    @cached_property
    def forms(self):
        forms = super().forms
        if not forms:
            return forms
        for name, field in forms[0].fields.items():
            if _batched_widget(field) is None:
                continue
            values = []
            for form in forms:
                widget = _batched_widget(form.fields[name])
                values += widget.format_value(form[name].value())
            labels = _batched_widget(field).read_labels(values)
            for form in forms:
                _batched_widget(form.fields[name]).labels = labels
        return forms


class ScopedInlineMixin(ScopedAdminMixin):
    def get_queryset(self, request):
        return admin.options.InlineModelAdmin.get_queryset(self, request)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (BatchedLabelsFormSetMixin, formset), {})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    pass


class PythonRenderedFormMixin:
    """A model admin whose change form writes its inputs, labels and error lists in Python
    (WIDGET_RENDERER, the same HTML as Django's widget templates): the team, deputy and office
    pages spent most of their time rendering those templates (issue 10); its fieldsets are written
    in Python too (admin_fieldset)."""

    change_form_template = "offices/admin/change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The class modelform_factory has just made for this request: set on it, not on a subclass.
        form.default_renderer = WIDGET_RENDERER
        return form


class PythonRenderedInlineMixin:
    """An inline whose forms (and the formset's management form) are rendered in Python, as above;
    a tabular one draws its rows in Python too (admin_tabular_rows)."""

    def __init__(self, parent_model, admin_site):
        super().__init__(parent_model, admin_site)
        if self.template == "admin/edit_inline/tabular.html":
            self.template = TABULAR_TEMPLATE

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("renderer", WIDGET_RENDERER)
        return super().get_formset(request, obj, **kwargs)


def district_list_filter(path="district"):
    """A change-list filter on the district at `path`, offering the districts the viewer may see.
    Django's RelatedOnlyFieldListFilter finds its choices with a DISTINCT over the listed table
    (130 ms over 581,000 attendance rows at 20,000 deputies); the districts are known without it.
    Same URL parameter as Django's filter (`<path>__id__exact`)."""
    class DistrictListFilter(admin.SimpleListFilter):
        title = gettext_lazy("district")
        parameter_name = f"{path}__id__exact"

        def lookups(self, request, model_admin):
            districts = selectors.jurisdictions_visible_to(user=request.user).filter(
                level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
            )
            return [(d.pk, d.name) for d in districts.order_by("name")]

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{f"{path}_id": int(value)}) if (value or "").isdigit() else queryset

    return DistrictListFilter
