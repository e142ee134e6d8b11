from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.lib.widgets import NameChoiceField
from offices.selectors import offices_visible_to, teams_visible_to


class PerformanceFileFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or pinyin initials"), required=False, max_length=50)
    # City staff choose among every office and team of the city: hundreds of options, read as
    # (pk, name) pairs (an office's and a team's str() is its name).
    office = NameChoiceField(label=gettext_lazy("Office"), queryset=None, required=False)
    team = NameChoiceField(label=gettext_lazy("Team"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices_visible_to(user=user).order_by("name", "pk")
        self.fields["team"].queryset = teams_visible_to(user=user).order_by("name", "pk")
        self.fields["office"].empty_label = _("All offices")
        self.fields["team"].empty_label = _("All teams")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["q"]:
            q = d["q"].strip()
            qs = qs.filter(Q(name__icontains=q) | Q(name_initials__startswith=q.lower()))
        if d["office"]:
            qs = qs.filter(
                Q(memberships__team__office=d["office"]) | Q(fixed_links__community_id=d["office"].jurisdiction_id)
            )
        if d["team"]:
            qs = qs.filter(memberships__team=d["team"])
        return qs.distinct()
