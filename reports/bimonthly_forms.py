from django import forms
from django.utils.translation import gettext_lazy

from .bimonthly_selectors import BIMESTERS, MONTHS


class BimonthlyForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    bimester = forms.TypedChoiceField(
        label=gettext_lazy("Months"), coerce=int,
        choices=[(i, f"{MONTHS * (i - 1) + 1}–{MONTHS * i}") for i in range(1, BIMESTERS + 1)],
    )
