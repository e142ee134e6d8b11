from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.lib.validators import normalize_mobile, validate_cn_mobile
from liaison.privacy import ACKNOWLEDGE_LABEL, ACKNOWLEDGE_REQUIRED


class CaptchaMixin(forms.Form):
    captcha = forms.CharField(
        label=_("Characters in the picture"), max_length=10,
        help_text=_("Not case-sensitive. Cannot read them? Choose “New picture”."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autocorrect": "off", "spellcheck": "false"}
        ),
    )


class PublicCaseForm(CaptchaMixin):
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Needed to track your request and to tell you the result."),
    )
    address = forms.CharField(label=_("Address (optional)"), max_length=200, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Subject"), max_length=100)
    content = forms.CharField(label=_("What would you like to tell us?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    preferred_date = forms.TypedChoiceField(label=_("Day you would like to come"), required=False, choices=())
    acknowledge = forms.BooleanField(label=ACKNOWLEDGE_LABEL, error_messages={"required": ACKNOWLEDGE_REQUIRED})

    field_order = ["name", "mobile", "address", "category", "title", "content", "preferred_date", "captcha", "acknowledge"]

    def __init__(self, *args, appointment, days=(), **kwargs):
        from .models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        if appointment and days:
            self.fields["preferred_date"].choices = [(d.isoformat(), f"{d:%Y-%m-%d}") for d in days]
            self.fields["preferred_date"].required = True
            self.fields["preferred_date"].coerce = lambda v: timezone.datetime.fromisoformat(v).date()
        else:
            del self.fields["preferred_date"]

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        validate_cn_mobile(value)
        return normalize_mobile(value)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"})
    )
    mobile = forms.CharField(label=_("Mobile number you left"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    # Cleaned values are the normalized ones: the lookup compares them and the rate limits count them.
    def clean_code(self):
        from .public_selectors import normalize_tracking_code

        return normalize_tracking_code(self.cleaned_data["code"])

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        validate_cn_mobile(value)
        return normalize_mobile(value)
