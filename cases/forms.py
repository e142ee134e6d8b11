"""Forms of the internal case pages. They check shape and scope of choices; the rules of the
workflow stay in cases.services, whose ValidationErrors the views put back on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.lib.uploads import validate_upload
from liaison.lib.validators import normalize_mobile, validate_cn_mobile
from offices.models import Deputy

from .models import Category, Channel, ReplyResult, Satisfaction

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs at once, each content-checked (liaison.lib.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)s files at once."), params={"n": MAX_FILES})
        cleaned = [single(f, initial) for f in files]
        for f in cleaned:
            validate_upload(f)
        return cleaned


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeputyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class IntakeForm(forms.Form):
    """Step 1 登记 (the paper 社情民意收集卡 [001]), for every channel of SPEC §3."""

    office = forms.ModelChoiceField(label=_("Office"), queryset=None, empty_label=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_on = forms.DateField(label=_("Date received"), widget=_date_widget())
    received_by = DeputyChoices(
        label=_("Deputies who received it"), queryset=Deputy.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonymous reporter"), required=False,
        help_text=_("Nothing that identifies the reporter is kept, and there is no feedback by phone."),
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=50, required=False)
    reporter_mobile = forms.CharField(
        label=_("Reporter's mobile"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    reporter_address = forms.CharField(label=_("Reporter's address"), max_length=200, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 6}))
    spot_answer = forms.CharField(
        label=_("On-the-spot answer"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a general question answered at once [003]; the case then goes straight to feedback."),
    )
    attachments = MultipleFileField(label=_("Photos or PDF files"))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["received_by"].queryset = (
            Deputy.objects.filter(memberships__team__office__in=offices, status=Deputy.Status.SERVING)
            .distinct().order_by("name_initials", "pk")
        )
        first = list(offices[:2])
        if len(first) == 1:
            self.fields["office"].initial = first[0].pk
        self.fields["received_on"].initial = timezone.localdate()

    def clean_reporter_mobile(self):
        value = self.cleaned_data["reporter_mobile"].strip()
        if value:
            validate_cn_mobile(value)
            value = normalize_mobile(value)
        return value

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date received cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        office, receivers = data.get("office"), data.get("received_by") or []
        if office is not None:
            outside = [d.name for d in receivers if not d.memberships.filter(team__office=office).exists()]
            if outside:
                self.add_error("received_by", _("Not members of this office's team: %(names)s.")
                               % {"names": "、".join(outside)})
        if data.get("is_anonymous") and (data.get("reporter_name") or data.get("reporter_mobile")):
            self.add_error("is_anonymous", _("An anonymous report keeps no name or mobile number: clear them or untick."))
        return data


class ReceiveForm(forms.Form):
    received_by = DeputyChoices(
        label=_("Deputies who received the resident"), queryset=Deputy.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_by"].queryset = Deputy.objects.filter(
            memberships__team__office_id=case.office_id, status=Deputy.Status.SERVING
        ).order_by("name_initials", "pk")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer given to the resident"), widget=forms.Textarea(attrs={"rows": 4}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _MemberIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.members:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.members) + (self.field.empty_label is not None)


class MemberChoice(OwnerChoice):
    """An owner among the team's members, read once for the whole meeting form: the form has one
    select per case on the table (up to 100), and each re-read the members (one query per case)."""

    iterator = _MemberIterator

    def __init__(self, *, members, **kwargs):
        self.members = list(members)
        super().__init__(queryset=Deputy.objects.none(), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for member in self.members:
            if str(member.pk) == str(value):
                return member
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def validate(self, value):
        forms.Field.validate(self, value)


class AssignForm(forms.Form):
    owner = OwnerChoice(label=_("Owner"), queryset=Deputy.objects.none())
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Deputy.objects.filter(
            memberships__team__office_id=case.office_id, status=Deputy.Status.SERVING
        ).order_by("name_initials", "pk")


class CaseDispatchForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Responsible units"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(label=_("Reply deadline"), widget=_date_widget())
    instructions = forms.CharField(label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The reply deadline must be today or later."))
        return value


class CaseReplyForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=ReplyResult.choices, widget=forms.RadioSelect)
    will_solve_by = forms.DateField(
        label=_("Will be solved by"), required=False, widget=_date_widget(),
        help_text=_("Only for “will be solved by a date”."),
    )
    reply = forms.CharField(label=_("Reply and reasons"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Photos or PDF files"))

    def clean(self):
        data = super().clean()
        if data.get("result") == ReplyResult.WILL_SOLVE and not data.get("will_solve_by"):
            self.add_error("will_solve_by", _("Give the date by which it will be solved."))
        return data


class FeedbackForm(forms.Form):
    # No satisfaction here: the owner must not rate the answer that scores them. The resident rates
    # it through the SMS link, or a non-owner records a phone follow-up (FollowUpForm).
    note = forms.CharField(label=_("What the resident was told"), widget=forms.Textarea(attrs={"rows": 4}))


class FollowUpForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("The resident's satisfaction, as they said it on the phone"), choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Notes of the call (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ResidentRatingForm(forms.Form):
    """The resident's own rating, on the public page their SMS links to."""

    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"), choices=Satisfaction.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the three answers.")},
    )
    comment = forms.CharField(label=_("Anything you would like to add (optional)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    """The 领办 meeting [000 九]: one owner select per case on the table (`owner_<case id>`)."""

    date = forms.DateField(label=_("Meeting date"), widget=_date_widget())
    attendees = DeputyChoices(label=_("Attendees"), queryset=Deputy.objects.none(), widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("Notes of the discussion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, team, cases, **kwargs):
        super().__init__(*args, **kwargs)
        members = Deputy.objects.filter(memberships__team=team, status=Deputy.Status.SERVING).order_by(
            "-memberships__is_leader", "name_initials", "pk"
        )
        self.fields["attendees"].queryset = members
        members = list(members)
        self.fields["attendees"].initial = [d.pk for d in members]
        self.fields["date"].initial = timezone.localdate()
        self.cases = list(cases)
        for case in self.cases:
            self.fields[f"owner_{case.pk}"] = MemberChoice(
                label=case.title, members=members, required=False, empty_label=_("— not decided —")
            )

    def owner_fields(self):
        return [(case, self[f"owner_{case.pk}"]) for case in self.cases]

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The meeting date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        data["assignments"] = [
            (case, data[f"owner_{case.pk}"]) for case in self.cases if data.get(f"owner_{case.pk}")
        ]
        if not data["assignments"] and not self.errors:
            raise forms.ValidationError(_("Give at least one case an owner."))
        return data
