from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.lib.uploads import DOCUMENT_TYPES, validate_upload

from .models import AnnualReport, Claim, ExportJob, RuleItem


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["rule_item", "occurred_on", "quantity", "description", "evidence"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, rule_set=None, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_item"].queryset = (
            RuleItem.objects.filter(rule_set=rule_set, event="") if rule_set else RuleItem.objects.none()
        )
        self.fields["rule_item"].label = _("Item")
        self.fields["quantity"].min_value = 1
        self.fields["quantity"].widget.attrs["min"] = 1
        self.fields["evidence"].help_text = _("A photo (JPEG/PNG) or a PDF.")
        if deputies is not None:
            # A liaison enters claims for the deputies of their office.
            self.fields["deputy"] = forms.ModelChoiceField(queryset=deputies, label=_("Deputy"))
            self.order_fields(["deputy"])

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the activity cannot be in the future."))
        return value

    def clean_evidence(self):
        f = self.cleaned_data.get("evidence")
        if f and hasattr(f, "content_type"):
            validate_upload(f, allowed=DOCUMENT_TYPES)
        return f


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept and correct the entry")), ("reject", _("Reject"))]
    )
    corrected_points = forms.IntegerField(
        label=_("Corrected points"), required=False, help_text=_("When accepting: the points the entry should carry (0 removes it).")
    )
    reason = forms.CharField(label=_("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 3}))


class AnnualReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Export"), choices=ExportJob.Kind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    district = forms.ModelChoiceField(label=_("District"), queryset=None, required=False, empty_label=_("Whole city"))

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
