"""Form widgets and choice fields for long lists."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext


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


def _attr_value(value):
    """`{{ value|stringformat:'s' }}` under autoescape: str() of the value, escaped unless safe."""
    if isinstance(value, SafeData):
        return value
    return escape("%s" % (str(value) if isinstance(value, tuple) else value))


def _attrs(attrs):
    """django/forms/widgets/attrs.html (and django/forms/attrs.html) written in Python."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_attr_value(value)}"')
    return "".join(out)


def _input(context):
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{_attr_value(widget["value"])}"'
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f"{value}{_attrs(widget['attrs'])}>")


def _textarea(context):
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _text(value):
    """`{{ value }}` under autoescape: localized as the template language does, then escaped."""
    return conditional_escape(localize(value))


def _select(context):
    widget = context["widget"]
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise ValueError(option["template_name"])
            out.append(f'\n  <option value="{_attr_value(option["value"])}"{_attrs(option["attrs"])}>'
                       f'{_text(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _error_list(context):
    errors = context["errors"]
    if not errors:
        return ""
    field_id = f' id="{conditional_escape(errors.field_id)}_error"' if errors.field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{conditional_escape(context["error_class"])}"{field_id}>{items}</ul>'


def _label(context):
    if not context["use_tag"]:
        return conditional_escape(context["label"])
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{conditional_escape(context['label'])}</{tag}>"


# admin/widgets/related_widget_wrapper.html's links: (context flag, CSS class, id prefix, URL
# attribute, URL key, query key, title msgid, icon), in the template's order.
_RELATED_LINKS = (
    ("can_change_related", "change-related", "change", "data-href-template", "change_related_template_url",
     "url_params", "Change selected %(model)s", "admin/img/icon-changelink.svg"),
    ("can_add_related", "add-related", "add", "href", "add_related_url", "url_params",
     "Add another %(model)s", "admin/img/icon-addlink.svg"),
    ("can_delete_related", "delete-related", "delete", "data-href-template", "delete_related_template_url",
     "url_params", "Delete selected %(model)s", "admin/img/icon-deletelink.svg"),
    ("can_view_related", "view-related", "view", "data-href-template", "change_related_template_url",
     "view_related_url_params", "View selected %(model)s", "admin/img/icon-viewlink.svg"),
)


def _related_widget_wrapper(context):
    """admin/widgets/related_widget_wrapper.html (Django 5.2): the widget and its add / change /
    delete / view links, the links' whitespace removed as its {% spaceless %} does."""
    ref = "" if context["model_has_limit_choices_to"] else f'data-model-ref="{_text(context["model_name"])}"'
    links = []
    if not context["is_hidden"]:
        model = _text(context["model"])
        name = _text(context["name"])
        for flag, css, prefix, attr, url, query, title, icon in _RELATED_LINKS:
            if not context[flag]:
                continue
            href = f' {attr}="{_text(context[url])}?{_text(context[query])}"'
            popup = "" if prefix == "view" else ' data-popup="yes"'
            links.append(
                f'<a class="related-widget-wrapper-link {css}" id="{prefix}_id_{name}"'
                + (popup + href if prefix == "add" else href + popup) +
                f' title="{gettext(title) % {"model": model}}">'
                f'<img src="{_text(static(icon))}" alt="" width="24" height="24"></a>'
            )
    return (f'<div class="related-widget-wrapper" {ref}>\n    {_text(context["rendered_widget"])}\n    '
            + "".join(links) + "\n    \n</div>")


class PythonWidgetRenderer(DjangoTemplates):
    """Django's form renderer with the simplest, most repeated templates written in Python: text,
    number, hidden and checkbox inputs, textareas, selects (options without their own template), error
    lists, labels and the admin's related-widget wrapper. The HTML is the same as their
    templates' (tests/liaison/test_widget_renderer.py and tests/reception/test_work_plan_render.py
    compare them); a form whose page draws dozens
    of rows of them (a year's work plan of 22 items) spent most of its time in those template
    renders (issue 10). Every other template goes to Django's renderer."""

    PYTHON = {
        "django/forms/widgets/text.html": _input,
        "django/forms/widgets/number.html": _input,
        "django/forms/widgets/email.html": _input,
        "django/forms/widgets/url.html": _input,
        "django/forms/widgets/hidden.html": _input,
        "django/forms/widgets/checkbox.html": _input,
        "django/forms/widgets/input.html": _input,
        "django/forms/widgets/textarea.html": _textarea,
        "django/forms/widgets/select.html": _select,
        "django/forms/errors/list/ul.html": _error_list,
        "django/forms/label.html": _label,
        "admin/widgets/related_widget_wrapper.html": _related_widget_wrapper,
    }

    def render(self, template_name, context, request=None):
        write = self.PYTHON.get(template_name)
        if write is None:
            return super().render(template_name, context, request=request)
        try:
            return write(context).strip()
        except ValueError:  # an option with a template of its own: Django draws the select
            return super().render(template_name, context, request=request)


class NameChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are labelled by one column (`label_field`, "name" by default)
    read with values_list and drawn by `LongSelect`: a city's 637 offices or teams in a filter, not
    built as model instances with their related rows (issue 10). Use it where the model's str() is
    that column. Validation is the parent's: the picked key is looked up in the queryset."""

    iterator = NameChoiceIterator
    widget = LongSelect

    def __init__(self, queryset, *, label_field="name", **kwargs):
        self.label_field = label_field
        super().__init__(queryset, **kwargs)
