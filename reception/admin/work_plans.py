"""Admin for the yearly work plans (SPEC §5)."""

from collections import defaultdict

from django import forms
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Count
from django.forms import BaseInlineFormSet, ChoiceField, ModelMultipleChoiceField
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from liaison.lib.widgets import LongSelect
from offices.admin.scoping import (
    PythonRenderedFormMixin,
    PythonRenderedInlineMixin,
    ScopedInlineMixin,
    ScopedModelAdmin,
)

from ..models import WorkPlan, WorkPlanItem
from ..models.work_plans import OPENING_CHOICES, OPENING_CODES


class WorkPlanAdminForm(forms.ModelForm):
    opening = forms.MultipleChoiceField(
        label=_("Weekly opening"), choices=OPENING_CHOICES, widget=forms.CheckboxSelectMultiple,
        help_text=_("The office opens at least once a week, for at least half a day each time."),
        error_messages={"required": _("The office must open at least once a week, for at least half a day.")},
    )

    class Meta:
        model = WorkPlan
        fields = ("office", "year", "goals", "opening", "opening_notes")

    def clean_opening(self):
        picked = set(self.cleaned_data["opening"])
        return [code for code in OPENING_CODES if code in picked]


class SharedQuerysetMultipleChoiceField(ModelMultipleChoiceField):
    """The item forms' deputies field: each form's copy keeps the inline's (scoped, never evaluated)
    queryset instead of cloning it twice, 22 items a plan (issue 10). Choices, labels and validation
    are Django's: every copy gets its own choice iterator over that queryset, and clean() filters it
    into a new queryset."""

    def __deepcopy__(self, memo):
        result = super(ChoiceField, self).__deepcopy__(memo)
        result.widget.choices = result.choices
        return result


class WorkPlanItemFormSet(BaseInlineFormSet):
    """The plan's items, each form's deputies read for its initial value from one query of the
    link table, kept as plain lists of keys (what the form's widget shows): Django's
    prefetch_related built one filtered queryset per item (issue 10). A posted formset saves the
    items' deputies through their managers, so it keeps Django's own prefetch."""

    def get_queryset(self):
        if hasattr(self, "_queryset"):
            return self._queryset
        queryset = super().get_queryset()
        if self.is_bound:
            self._queryset = queryset = queryset.prefetch_related("deputies")
            return queryset
        items = list(queryset)  # evaluated once; the formset indexes the same queryset
        picked = defaultdict(list)
        links = WorkPlanItem.deputies.through.objects.filter(workplanitem_id__in=[i.pk for i in items])
        for item_id, deputy_id in links.values_list("workplanitem_id", "deputy_id"):
            picked[item_id].append(deputy_id)
        for item in items:
            # What item.deputies.all() returns while the form reads its initial value.
            item._prefetched_objects_cache = {"deputies": picked[item.pk]}
        return queryset


class WorkPlanItemInline(PythonRenderedInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = WorkPlanItem
    formset = WorkPlanItemFormSet
    extra = 0
    # A table of the year's activities, one row each, as the office reads its plan; its rows
    # written in Python (PythonRenderedInlineMixin's admin_tabular_rows). Stacked, the 22 items'
    # labels and fieldsets were a quarter of the page's time at city scale (issue 10: 318k ->
    # 248k Python calls a request).
    autocomplete_fields = ("deputies",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            # BaseInlineFormSet.add_fields replaces the foreign key to the plan in every item form
            # with an InlineForeignKeyField, taking only this field's label: a plain field, not a
            # model choice field whose queryset is cloned and related-widget wrapper copied for
            # each of the 23 forms before being thrown away (issue 10).
            return forms.Field(label=capfirst(db_field.verbose_name), required=False)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "notes":
            # Two lines in a table row, not the admin's ten; the box still grows by dragging.
            field.widget.attrs["rows"] = "2"
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SharedQuerysetMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # The kind's options written in Python, not one template render per option: a year's plan
        # of 22 items drew some 300 option templates, most of the page's time (issue 10).
        kwargs["widget"] = LongSelect
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(WorkPlan)
class WorkPlanAdmin(PythonRenderedFormMixin, ScopedModelAdmin):
    """Plans are written and published by the office's liaison in the portal [004 第十二条(五)]; the
    admin lets staff read them, correct a mistake and export the list. Publication state is read-only
    here, so the lateness flag always reflects the liaison's own publication."""

    # Its inputs, labels and fieldsets written in Python (PythonRenderedFormMixin), as its items'
    # (PythonRenderedInlineMixin): 22 items of 10 fields each (issue 10).
    form = WorkPlanAdminForm
    list_display = ("office", "year", "status", "published_late", "first_published_at", "revision", "item_count")
    list_filter = ("year", "status", "published_late", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("office__name",)
    autocomplete_fields = ("office",)
    readonly_fields = ("status", "first_published_at", "published_late", "published_at", "published_by", "revision",
                       "revision_note")
    inlines = [WorkPlanItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("office").annotate(n_items=Count("items"))

    @admin.display(description=_("number of activities"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
