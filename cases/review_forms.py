from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices.models import Jurisdiction

from .review_selectors import CITY_LEVEL


class ReviewFilterForm(forms.Form):
    """Filters of the year-end review. City staff may narrow to one district's units (or the
    city-level units); district staff are held to their district by the selector anyway."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    district = forms.ChoiceField(label=_("District"), required=False)
    q = forms.CharField(label=_("Unit name"), required=False, max_length=100)

    def __init__(self, data=None, *, user, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and not data.get("year"):
            data["year"] = timezone.localdate().year
        super().__init__(data, **kwargs)
        choices = [("", _("All units"))]
        if user.is_superuser or user.staff_district_id is None:
            choices.append((CITY_LEVEL, _("City-level units")))
            choices += [
                (str(j.pk), j.name)
                for j in Jurisdiction.objects.filter(
                    level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
                ).order_by("name")
            ]
        self.fields["district"].choices = choices

    def filters(self):
        """(year, district, q) from valid data, or the defaults."""
        if self.is_valid():
            d = self.cleaned_data
            return d["year"], d["district"] or None, d["q"].strip()
        return timezone.localdate().year, None, ""
