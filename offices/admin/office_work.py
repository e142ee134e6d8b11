"""Admin for five-good evaluations, training, budgets and yearly work plans (SPEC §5), scoped like the rest: district
staff see and pick only their district's offices, deputies and teams."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..models import Budget, Expense, OfficeEvaluation, TrainingAttendance, TrainingCourse
from .scoping import ScopedInlineMixin, ScopedModelAdmin

CENT = Decimal("0.01")
ZERO = Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))


@admin.register(OfficeEvaluation)
class OfficeEvaluationAdmin(ScopedModelAdmin):
    list_display = ("office", "year", "construction", "rules", "management", "role", "residents", "total", "outcome")
    list_filter = ("year", "outcome", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("office__name",)
    autocomplete_fields = ("office",)
    list_select_related = ("office",)

    @admin.display(description=_("total"))
    def total(self, obj):
        return obj.total

    def save_model(self, request, obj, form, change):
        obj.evaluated_by = request.user
        super().save_model(request, obj, form, change)


class TrainingAttendanceInline(ScopedInlineMixin, admin.TabularInline):
    model = TrainingAttendance
    extra = 1
    autocomplete_fields = ("deputy",)


@admin.register(TrainingCourse)
class TrainingCourseAdmin(ScopedModelAdmin):
    list_display = ("title", "organizer", "term", "starts_on", "ends_on", "is_centralized", "attendee_count")
    list_filter = ("is_centralized", "term", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("title", "place")
    autocomplete_fields = ("organizer",)
    date_hierarchy = "starts_on"
    inlines = [TrainingAttendanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organizer").annotate(n_attendees=Count("attendees"))

    @admin.display(description=_("number attending"), ordering="n_attendees")
    def attendee_count(self, obj):
        return obj.n_attendees


class ExpenseFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        budget = self.instance
        spent = sum(
            (f.cleaned_data["amount"] for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")),
            start=0,
        )
        available = (budget.amount or 0) + (budget.carried_over or 0)
        if spent > available:
            raise forms.ValidationError(
                _("The expenses (%(spent)s yuan) exceed the funds available (%(available)s yuan)."),
                params={"spent": spent, "available": available},
            )


class ExpenseInline(admin.TabularInline):
    model = Expense
    formset = ExpenseFormSet
    extra = 1


@admin.register(Budget)
class BudgetAdmin(ScopedModelAdmin):
    list_display = ("__str__", "year", "amount", "carried_over", "spent", "remaining")
    list_filter = ("year", ("district", RelatedOnlyFieldListFilter))
    search_fields = ("deputy__name", "deputy__name_initials", "team__name")
    autocomplete_fields = ("deputy", "team")
    inlines = [ExpenseInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("deputy", "team")
            .annotate(total_spent=Coalesce(Sum("expenses__amount"), ZERO))
        )

    @admin.display(description=_("spent (yuan)"), ordering="total_spent")
    def spent(self, obj):
        return Decimal(obj.total_spent).quantize(CENT)

    @admin.display(description=_("remaining (yuan)"))
    def remaining(self, obj):
        return (obj.amount + obj.carried_over - Decimal(obj.total_spent)).quantize(CENT)
