"""Form widgets and choice fields for long lists."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A single <select> for long lists (a city's 637 offices or teams in a filter): the same HTML as
    `forms.Select`, with the options written in Python rather than one template render (and one
    option dict) per option, which took most of a page's time at city scale (bench/README.md).
    Option groups are not supported: give it a flat list of choices."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                raise ValueError("LongSelect does not render option groups.")
            text = "" if option_value is None else str(option_value)
            mark = " selected" if text in selected else ""
            if mark and not self.allow_multiple_selected:
                selected = set()  # a single select marks its first match only, as forms.Select does
            options.append(f'<option value="{escape(text)}"{mark}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>\n" + "\n".join(options) + "\n</select>")


class LongSelectMultiple(LongSelect, forms.SelectMultiple):
    """`LongSelect` for a multiple choice (a district's ~3,000 deputies to pick co-signers or an
    inquiry's participants from): the same HTML as `forms.SelectMultiple`."""


class NameChoiceIterator(ModelChoiceIterator):
    """Choices read as (pk, name) pairs instead of model instances (building 3,000 deputies with
    their district took 0.2 s of a form page)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.label_field)


class NameMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose options are labelled by one column (`label_field`, "name"
    by default) read with values_list, drawn by `LongSelectMultiple`. Validation is the parent's:
    the picked keys are looked up in the queryset."""

    iterator = NameChoiceIterator
    widget = LongSelectMultiple

    def __init__(self, queryset, *, label_field="name", **kwargs):
        self.label_field = label_field
        super().__init__(queryset, **kwargs)
