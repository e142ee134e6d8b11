from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.lib.validators import normalize_mobile, validate_cn_mobile
from reception.opening_selectors import open_half_day_refusal, parse_half_day

from .models import Category
from .privacy_notice import ACKNOWLEDGE_LABEL, ACKNOWLEDGE_REQUIRED
from .public_photo_services import photo_check
from .public_selectors import normalize_tracking_code


class CaptchaMixin(forms.Form):
    captcha = forms.CharField(
        label=_("Characters in the picture"), max_length=10,
        help_text=_("Not case-sensitive. Cannot read them? Choose “New picture”."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autocorrect": "off", "spellcheck": "false"}
        ),
    )


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files under one name; each is checked in PublicCaseForm.clean_photos, which keeps
    the good ones even when others are refused."""

    def clean(self, data, initial=None):
        return [f for f in (data if isinstance(data, list | tuple) else [data]) if f]


class StagedPhotoChoices(forms.MultipleChoiceField):
    """Tokens of the session's kept photos. A token the session does not hold (a stale page, a
    forged value) is dropped by PublicCaseForm.kept_tokens rather than refused: it only ever meant
    "keep this photo", and there is no such photo to keep."""

    def validate(self, value):
        pass


class PublicCaseForm(CaptchaMixin):
    """A resident's opinion or booking. `slots` are the office's open half-days
    (reception.opening_selectors); `deputies` the office's serving deputies as (pk, name);
    `staged` the photos kept from an earlier try (cases.public_photo_services)."""

    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Needed to track your request and to tell you the result."),
    )
    address = forms.CharField(label=_("Address (optional)"), max_length=200, required=False)
    deputy = forms.TypedChoiceField(label=_("Deputy you are writing to"), required=False, coerce=int, empty_value=None)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Subject"), max_length=100)
    content = forms.CharField(label=_("What would you like to tell us?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    location = forms.CharField(
        label=_("Where is it? (optional)"), max_length=200, required=False,
        help_text=_("e.g. the crossing in front of No. 8 Donghe Road"),
    )
    keep_photos = StagedPhotoChoices(
        label=_("Photos already added"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a photo to leave it out."),
    )
    photos = PhotosField(
        label=_("Photos (optional)"), required=False,
        widget=PhotoInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    # A CharField with a select, not a ChoiceField: a half-day not offered gets the reason it is
    # not (closed that day, a holiday, too soon) from clean_preferred_slot, not "invalid choice".
    preferred_slot = forms.CharField(label=_("Half-day you would like to come"), max_length=20, widget=forms.Select)
    acknowledge = forms.BooleanField(label=ACKNOWLEDGE_LABEL, error_messages={"required": ACKNOWLEDGE_REQUIRED})

    field_order = ["name", "mobile", "address", "deputy", "category", "title", "content", "location", "keep_photos",
                   "photos", "preferred_slot", "captcha", "acknowledge"]

    def __init__(self, *args, office, appointment, slots=(), deputies=(), staged=(), today=None, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.office, self.today = office, today
        self.max_photos = settings.PUBLIC_PHOTOS_MAX
        self.fields["photos"].help_text = _(
            "Up to %(n)s photos (JPEG or PNG), at most %(mb)s MB each."
        ) % {"n": self.max_photos, "mb": round(settings.PUBLIC_PHOTO_MAX_BYTES / 1048576, 1)}
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.slots = {slot.value: slot for slot in slots}
        if appointment and slots:
            self.fields["preferred_slot"].widget.choices = [("", _("— choose a half-day —"))] + [
                (slot.value, slot.label) for slot in slots
            ]
        else:
            del self.fields["preferred_slot"]
        if deputies:
            self.fields["deputy"].choices = [("", _("Any deputy of this office"))] + [(pk, n) for pk, n in deputies]
        else:
            del self.fields["deputy"]
        self.show_staged(staged)
        # Checked new photos, filled by clean_photos whatever else is wrong, so the view can keep them.
        self.photo_uploads = []

    def show_staged(self, staged):
        """List the photos kept from earlier tries, all ticked (also after a bound form was checked:
        the ones just added join the list)."""
        self.staged = list(staged)
        tokens = [item["token"] for item in self.staged]
        self.fields["keep_photos"].choices = [
            (item["token"], f"{item['name']} ({round(item['size'] / 1048576, 1)} MB)") for item in self.staged
        ]
        self.fields["keep_photos"].initial = tokens
        if self.is_bound and hasattr(self.data, "setlist") and getattr(self.data, "_mutable", False):
            self.data.setlist("keep_photos", tokens)

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        validate_cn_mobile(value)
        return normalize_mobile(value)

    def clean_preferred_slot(self):
        value = self.cleaned_data["preferred_slot"]
        if value in self.slots:
            return self.slots[value]
        parsed = parse_half_day(value)
        reason = open_half_day_refusal(self.office, date=parsed[0], half=parsed[1], today=self.today) if parsed else ""
        raise forms.ValidationError(reason or _("Pick one of the half-days listed."), code="closed")

    def kept_tokens(self):
        if self.is_bound:
            allowed = {item["token"] for item in self.staged}
            return [t for t in self.data.getlist("keep_photos") if t in allowed]
        return [item["token"] for item in self.staged]

    def clean_photos(self):
        files = [f for f in self.files.getlist("photos") if f] if self.files else []
        errors, good = [], []
        for f in files:
            try:
                photo_check(f)
                good.append(f)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        room = max(0, self.max_photos - len(self.kept_tokens()))
        if len(good) > room:
            left_out = "、".join(f"“{f.name}”" for f in good[room:])
            errors.append(
                _("At most %(max)s photos: %(left)s left out. Untick or remove some and send again.")
                % {"max": self.max_photos, "left": left_out}
            )
            good = good[:room]
        self.photo_uploads = good
        if errors:
            raise forms.ValidationError(errors)
        return good


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"})
    )
    mobile = forms.CharField(label=_("Mobile number you left"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    # Cleaned values are the normalized ones: the lookup compares them and the rate limits count them.
    def clean_code(self):
        return normalize_tracking_code(self.cleaned_data["code"])

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        validate_cn_mobile(value)
        return normalize_mobile(value)
