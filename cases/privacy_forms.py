from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.lib.validators import normalize_mobile, validate_cn_mobile

from .public_forms import CaptchaMixin


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        validate_cn_mobile(value)
        return normalize_mobile(value)


class PrivacyStartForm(CaptchaMixin):
    mobile = MobileField(
        label=_("Mobile number you left with us"),
        help_text=_("We send a one-time code to this number. Only the person holding the phone can go on."),
    )

    field_order = ["mobile", "captcha"]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CorrectionForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    mobile = MobileField(
        label=_("Mobile number"),
        help_text=_("If you change it, we send a code to the new number and apply the change once you enter it."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my name, mobile number and address will be removed and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )
