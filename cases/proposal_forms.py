from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.lib.widgets import LongSelectMultiple, NameMultipleChoiceField
from offices.models import Deputy, Unit

from .models.proposals import Evaluation, Inquiry, ProposalKind, ProposalReplyResult


class ProposalFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProposalKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The problem, the reasons and the suggested measures."),
    )
    cosigners = NameMultipleChoiceField(
        label=_("Co-signers (motions only)"), queryset=Deputy.objects.none(), required=False,
        widget=LongSelectMultiple(attrs={"size": 8}),
        help_text=_("Each co-signer confirms on their own page before you file the motion."),
    )

    def __init__(self, *args, lead, **kwargs):
        super().__init__(*args, **kwargs)
        # Co-signers come from the lead's own congress: serving deputies of the same district.
        self.fields["cosigners"].queryset = Deputy.objects.filter(
            district_id=lead.district_id, status=Deputy.Status.SERVING
        ).exclude(pk=lead.pk)

    def clean(self):
        data = super().clean()
        if data.get("kind") == ProposalKind.MOTION and not data.get("cosigners"):
            self.add_error("cosigners", _("Invite at least one deputy to co-sign the motion."))
        if data.get("kind") == ProposalKind.PROPOSAL and data.get("cosigners"):
            self.add_error("cosigners", _("Only a motion has co-signers."))
        return data


class DispatchForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Responsible units"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(label=_("Reply deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    instructions = forms.CharField(label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The reply deadline cannot be in the past."))
        return value


class ReplyForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=ProposalReplyResult.choices, widget=forms.RadioSelect)
    reply = forms.CharField(label=_("Reply and reasons"), widget=forms.Textarea(attrs={"rows": 6}))


class EvaluateForm(forms.Form):
    evaluation = forms.ChoiceField(label=_("Evaluation"), choices=Evaluation.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when dissatisfied."),
    )

    def clean(self):
        data = super().clean()
        if data.get("evaluation") == Evaluation.DISSATISFIED and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the reply is not satisfactory."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InquiryForm(forms.ModelForm):
    class Meta:
        model = Inquiry
        fields = ["date", "kind", "topic", "target_unit", "participants", "questions", "outcome"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "questions": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, units, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_unit"].queryset = units
        # A district's serving deputies (~3,000 at city scale): labels read as (pk, name) pairs.
        field = self.fields["participants"]
        self.fields["participants"] = NameMultipleChoiceField(
            deputies, label=field.label, required=field.required, help_text=field.help_text,
            widget=LongSelectMultiple(attrs={"size": 10}),
        )

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Record an inquiry after it took place."))
        return value
