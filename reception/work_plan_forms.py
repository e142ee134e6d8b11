"""Forms of the yearly work plan pages."""

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from liaison.lib.widgets import PythonWidgetRenderer

from .models import Activity
from .models.work_plans import OPENING_CHOICES, OPENING_CODES

# The page's inputs, textareas and labels written in Python: a plan's every item form draws seven
# fields (issue 10). One renderer (and template engine) for the page's forms.
RENDERER = PythonWidgetRenderer()


class WorkPlanForm(forms.Form):
    default_renderer = RENDERER

    office = forms.ModelChoiceField(label=_("Office"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    goals = forms.CharField(label=_("Goals for the year"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opening = forms.MultipleChoiceField(
        label=_("Weekly opening"), choices=OPENING_CHOICES, widget=forms.CheckboxSelectMultiple,
        help_text=_("The office opens at least once a week, for at least half a day each time."),
        error_messages={"required": _("The office must open at least once a week, for at least half a day.")},
    )
    opening_notes = forms.CharField(
        label=_("Opening notes"), max_length=200, required=False, help_text=_("e.g. 9:00–12:00, closed on public holidays.")
    )
    revision_note = forms.CharField(
        label=_("Why the published plan changes"), max_length=200, required=True,
        help_text=_("Saving publishes the revised plan at once; the earlier version stays in the history."),
    )

    def __init__(self, *args, offices, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        if plan is not None:
            self.fields["office"].disabled = True
            self.fields["year"].disabled = True
        if plan is None or not plan.is_published:
            del self.fields["revision_note"]

    def clean_opening(self):
        # Keep the week's order whatever order the boxes were ticked in.
        picked = set(self.cleaned_data["opening"])
        return [code for code in OPENING_CODES if code in picked]


MONTH_CHOICES = [("", "---------"), *((m, MONTHS[m]) for m in range(1, 13))]


class WorkPlanItemForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTH_CHOICES, coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *Activity.Kind.choices])
    title = forms.CharField(label=_("Title"), max_length=100)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    deputies = forms.TypedMultipleChoiceField(
        label=_("Deputies taking part"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    participants = forms.CharField(
        label=_("Other participants"), max_length=200, required=False,
        help_text=_("e.g. community residents, unit staff."),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, deputy_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputies"].choices = deputy_choices


WorkPlanItemFormSet = forms.formset_factory(
    WorkPlanItemForm, extra=3, can_delete=True, max_num=120, validate_max=True, renderer=RENDERER
)
