"""Forms of the activity, attendance, leave, invitation and escalation pages. Choices are limited
to what the viewer may pick; the services re-check every rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.lib.uploads import DOCUMENT_TYPES, IMAGE_TYPES, PictureField, UploadValidator
from offices.models import Deputy

from . import rules
from .models import Activity, ReceptionPeriod

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    date = forms.DateField(label=_("Date"), widget=DATE)
    slot = forms.ChoiceField(label=_("Half-day"), choices=Activity.Slot.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False, help_text=_("Empty: the office's address."))
    deputies = forms.ModelMultipleChoiceField(
        label=_("Deputies taking part"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    households = forms.IntegerField(
        label=_("Households to visit"), min_value=0, max_value=500, required=False,
        help_text=_("For household visits."),
    )
    makes_up_period = forms.ModelChoiceField(
        label=_("Make-up for the reception period"), queryset=None, required=False,
        help_text=_("Only for a make-up activity 补课 of deputies who missed a period; within that month."),
    )
    plan_notes = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, offices, deputies, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["deputies"].queryset = deputies
        self.fields["makes_up_period"].queryset = periods
        self.fields["deputies"].label_from_instance = lambda d: f"{d.name}（{d.work_unit} {d.position}）"


class ActivityLogForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Who attended"), widget=forms.CheckboxSelectMultiple, required=False
    )
    households = forms.IntegerField(label=_("Households visited"), min_value=0, max_value=500, required=False)
    notes = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    photo = PictureField(
        label=_("Photo"), required=False, validators=[UploadValidator(IMAGE_TYPES)],
        help_text=_("Optional; more photos can be added on the activity's page."),
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(p.deputy_id), f"{p.deputy.name}（{p.deputy.work_unit}）") for p in participants
        ]


class PhotoForm(forms.Form):
    photo = PictureField(label=_("Photo"), validators=[UploadValidator(IMAGE_TYPES)])


class _DeputyRequestForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=None)

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["activity"].label_from_instance = lambda a: f"{a} · {a.office}"


class LeaveRequestForm(_DeputyRequestForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class InvitationForm(_DeputyRequestForm):
    department = forms.CharField(label=_("Department"), max_length=100, help_text=_("e.g. 区住房和建设局"))
    problem = forms.CharField(
        label=_("The problem to solve"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The hard problem residents raised that needs the department's leaders."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("Required when refusing."),
    )


class InvitationDecisionForm(DecisionForm):
    attendees = forms.CharField(
        label=_("Who comes"), max_length=200, required=False, help_text=_("Names and positions; required when approving.")
    )


class ExplanationForm(forms.Form):
    text = forms.CharField(label=_("Written explanation"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    file = forms.FileField(
        label=_("Or upload it"), required=False, validators=[UploadValidator(DOCUMENT_TYPES)],
        help_text=_("PDF, JPG or PNG."),
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was decided"), widget=forms.Textarea(attrs={"rows": 3}))


def deputies_for_offices(offices):
    return (
        Deputy.objects.filter(memberships__team__office__in=offices, status=Deputy.Status.SERVING)
        .distinct()
        .order_by("name_initials")
    )


def periods_for_offices(offices, today):
    import datetime

    district_ids = {o.district_id for o in offices}
    return ReceptionPeriod.objects.filter(
        district_id__in=district_ids, start__lte=today, end__gte=today - datetime.timedelta(days=rules.MAKE_UP_PERIODS_OFFERED_DAYS)
    ).select_related("district")


# --- Yearly work plans [004 第十条] [004 第十二条(五)] ---------------------------------------------------
