"""liaison.lib.widgets.PythonWidgetRenderer writes the same HTML as Django's form templates for the
templates it writes in Python (inputs, textareas, selects, error lists, labels), and hands every
other template to Django (issue 10)."""

import re

import pytest
from django import forms
from django.contrib import admin
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from liaison.lib.widgets import PythonWidgetRenderer
from offices.models import Team

NASTY = "a<b>&\"c' d"


class Sample(forms.Form):
    text = forms.CharField(label="Name <i>", max_length=20, help_text="help")
    empty = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Year")}))
    number = forms.IntegerField(min_value=1, max_value=12)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    flag = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "disabled": True, "readonly": False}), required=False)
    kind = forms.ChoiceField(choices=[("", "---"), ("a", "A & B"), ("Group", [("g1", "G<1>"), ("g2", "G2")]), (3, 3)])
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two"), ("3", NASTY)], required=False)
    email = forms.EmailField(required=False)


DATA = [
    {},
    {"text": NASTY, "empty": "", "number": "7", "hidden": NASTY, "flag": "on", "notes": NASTY, "kind": "g1",
     "many": ["1", "3"], "email": "x@example.com"},
    {"text": "", "number": "99", "kind": "zzz", "many": ["9"], "email": "not an email", "notes": "\nline"},
]


def _render(form_class, data, renderer):
    form = form_class(data or None, renderer=renderer, initial={"text": mark_safe("<b>safe</b>"), "number": 3})
    parts = []
    for field in form:
        parts += [str(field), field.label_tag(), field.label_tag(attrs={"class": "x", "data-y": True}),
                  field.legend_tag(), str(field.errors), field.errors.as_ul()]
    parts += [form.non_field_errors().as_ul(), form.as_div()]
    return parts


@pytest.mark.parametrize("data", DATA)
def test_python_renderer_writes_what_djangos_templates_write(data):
    django = _render(Sample, data, DjangoTemplates())
    python = _render(Sample, data, PythonWidgetRenderer())
    assert python == django
    assert any("&lt;" in part for part in python)  # the values are escaped, not dropped


def test_python_renderer_writes_its_templates_without_the_template_engine(monkeypatch):
    """The simple templates are written in Python (the point of the renderer); a template it does
    not know (the form's div.html) still goes to Django's."""
    rendered = []
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, name, context, request=None: rendered.append(name) or "")
    form = Sample({"text": "x"}, renderer=PythonWidgetRenderer())
    for name in ("text", "number", "hidden", "flag", "notes", "kind"):
        str(form[name]), form[name].label_tag(), form[name].errors.as_ul()
    assert rendered == []
    form.as_div()
    assert rendered == ["django/forms/div.html"]


@pytest.mark.parametrize("flags", [
    {"can_add_related": True, "can_change_related": True, "can_delete_related": True, "can_view_related": True},
    {"can_add_related": False},
    {"can_add_related": True, "hidden": True},
], ids=["every-link", "no-link", "hidden"])
def test_python_renderer_writes_the_admins_related_widget_wrapper(flags):
    """admin/widgets/related_widget_wrapper.html: the same tags, attributes and text, the links'
    whitespace aside (the template's {% spaceless %} keeps line breaks inside the tags)."""
    flags = dict(flags)
    widget = forms.HiddenInput() if flags.pop("hidden", False) else forms.Select(choices=[("1", NASTY)])
    rel = Team._meta.get_field("office").remote_field
    wrapper = admin.widgets.RelatedFieldWidgetWrapper(widget, rel, admin.site, **flags)

    def draw(renderer):
        html = wrapper.render("office", "1", {"id": "id_office"}, renderer=renderer)
        return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html)))

    python = draw(PythonWidgetRenderer())
    assert python == draw(DjangoTemplates())
    assert python.count("related-widget-wrapper-link") == (0 if "hidden" in python or not any(flags.values())
                                                             else len([v for v in flags.values() if v]))
