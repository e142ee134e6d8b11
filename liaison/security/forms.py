from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp import match_token


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )

    def __init__(self, *args, user, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if self.device is not None:
            verified = self.device if self.device.verify_token(token) else None
        else:
            verified = match_token(self.user, token)
        if verified is None:
            raise forms.ValidationError(_("The code is wrong or has expired. Try the current code."), code="bad_token")
        self.verified_device = verified
        return token
