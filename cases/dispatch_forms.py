"""Forms of a unit's moves on its share of a dispatch and of staff's answers
(cases.dispatch_views)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import CaseDispatchForm, _date_widget


class SignForm(forms.Form):
    """签收 needs nothing but the button: the time and the handler are recorded."""


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this case not your unit's to handle?"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Name the unit that should handle it if you know it."),
    )


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("New reply deadline"), widget=_date_widget())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.fields["new_deadline"].help_text = _("Later than the current deadline, %(date)s.") % {
            "date": deadline.isoformat()}

    def clean_new_deadline(self):
        value = self.cleaned_data["new_deadline"]
        if value <= self.deadline:
            raise forms.ValidationError(_("The new deadline must be later than the current one (%(date)s)."),
                                        params={"date": self.deadline.isoformat()})
        if value < timezone.localdate():
            raise forms.ValidationError(_("The new deadline cannot be in the past."))
        return value


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note to the unit"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, note_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_required:
            self.fields["note"].required = True
            self.fields["note"].label = _("Why is the extension refused?")


class RedispatchForm(CaseDispatchForm):
    """The same fields as a dispatch: the right unit(s), a deadline, instructions."""


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Why is no other unit needed?"), widget=forms.Textarea(attrs={"rows": 3}))
