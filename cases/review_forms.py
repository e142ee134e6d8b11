from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offices.models import Jurisdiction

from .models import Category, Status
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


def _district_choices(user):
    if user.is_superuser or user.staff_district_id is None:
        return [("", _("All districts"))] + [
            (str(j.pk), j.name)
            for j in Jurisdiction.objects.filter(
                level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
            ).order_by("name")
        ]
    return [("", _("My district"))]


class CaseExportForm(forms.Form):
    """What to put in a case list export. The scope (which cases the staff member may see) is not
    a filter: the export applies it whatever is chosen here."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("All categories"))
    district = forms.ChoiceField(label=_("District"), required=False)
    received_from = forms.DateField(label=_("Received from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("Received until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Title or tracking code"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("Overdue cases only"), required=False)
    personal_data = forms.BooleanField(
        label=_("Include residents' phones and addresses"), required=False,
        help_text=_("Otherwise they are masked. An export with contact details is recorded in the audit log."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]
        self.fields["district"].choices = _district_choices(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return data

    def to_filters(self):
        d = self.cleaned_data
        return {
            "status": d["status"], "category": d["category"].pk if d["category"] else None,
            "district": d["district"] or None,
            "received_from": d["received_from"].isoformat() if d["received_from"] else None,
            "received_to": d["received_to"].isoformat() if d["received_to"] else None,
            "q": d["q"].strip(), "overdue": d["overdue"],
        }


class BulletinForm(forms.Form):
    """Publishing the year's review as a bulletin: city staff pick the whole city or one district;
    district staff publish for their own district only."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    district = forms.ChoiceField(label=_("Scope"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    foreword = forms.CharField(
        label=_("Foreword"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the bulletin asks of the units, shown above the figures."),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        own = user.staff_district_id if not user.is_superuser else None
        if own is None:
            choices = [("", _("The whole city"))] + [
                (str(j.pk), j.name)
                for j in Jurisdiction.objects.filter(
                    level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
                ).order_by("name")
            ]
        else:
            choices = [(str(own), user.jurisdiction.district.name)]
            self.fields["district"].required = True
        self.fields["district"].choices = choices

    def clean_district(self):
        value = self.cleaned_data["district"]
        return Jurisdiction.objects.get(pk=value) if value else None

    def preview_scope(self):
        """(year, district or None) whose figures the page previews: the submitted ones when valid,
        else the initial ones, held to the choices this user has."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["district"]
        allowed = [value for value, _label in self.fields["district"].choices]
        value = str(self.initial.get("district") or "")
        if value not in allowed:
            value = allowed[0]
        return self.initial["year"], Jurisdiction.objects.get(pk=value) if value else None
