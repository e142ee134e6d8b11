"""The deputies' checkboxes of the work plan's item forms, written in Python (issue 10).

Each item form of the plan page offers the same list of the office's deputies (36 at city scale, in
every one of the plan's rows and in the blank row template). crispy-forms draws a checkbox list with
one template include per option; `crispy_checkboxes` writes the same markup as crispy's bootstrap5
field.html and layout/radio_checkbox_select.html (a form without a helper: labels shown, errors as
blocks) for a CheckboxSelectMultiple field, with the same names, ids, values, labels, checked boxes,
help text and errors. tests/reception/test_work_plan_form_render.py compares the two."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _attrs(attrs):
    return "".join(
        f" {conditional_escape(k)}" if v is True else f' {conditional_escape(k)}="{conditional_escape(str(v))}"'
        for k, v in attrs.items()
        if v is not False
    )


def _errors(field):
    lines = "".join(
        f'<p id="error_{n}_{conditional_escape(field.auto_id)}"><strong>{conditional_escape(error)}</strong></p>'
        for n, error in enumerate(field.errors, 1)
    )
    return f'<div id="{conditional_escape(field.errors.field_id)}_error" class="invalid-feedback">{lines}</div>'


@register.filter
def crispy_checkboxes(field):
    """A CheckboxSelectMultiple bound field as crispy's bootstrap5 pack draws it."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = widget.build_attrs(widget.attrs, field.build_widget_attrs({"id": id_} if id_ else {}))
    values = {str(v) for v in widget.format_value(field.value())}
    invalid = " is-invalid" if field.errors else ""
    name = conditional_escape(field.html_name)
    choices = list(widget.choices)
    options = []
    for index, (value, label) in enumerate(choices):
        option_attrs = dict(attrs) if widget.option_inherits_attrs else {}
        if str(value) in values:
            option_attrs.update(widget.checked_attribute)
        if "id" in option_attrs:
            option_attrs["id"] = widget.id_for_label(option_attrs["id"], str(index))
        errors = _errors(field) if field.errors and index == len(choices) - 1 else ""
        options.append(
            f'<div class="form-check"><input type="checkbox" class="form-check-input{invalid}" name="{name}" '
            f'value="{conditional_escape(localize(value, use_l10n=False))}"{_attrs(option_attrs)}>'
            f'<label for="{conditional_escape(option_attrs.get("id", ""))}" class="form-check-label">'
            f"{conditional_escape(localize(label, use_l10n=False))}</label>{errors}</div>"
        )
    required = field.field.required
    legend = ""
    if field.label:
        legend = format_html(
            '<legend class="form-label{} fs-6">{}{}</legend>',
            " requiredField" if required else "", field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    describedby = field.aria_describedby
    help_text = ""
    if field.help_text:
        help_id = f'id="{conditional_escape(field.auto_id)}_helptext" ' if field.auto_id else ""
        help_text = f'<div {help_id}class="form-text">{field.help_text}</div>'
    css = f" {conditional_escape(field.css_classes())}" if field.css_classes() else ""
    open_fieldset = (
        format_html('<fieldset aria-describedby="{}">', describedby) if describedby else mark_safe("<fieldset>")
    ) if field.label else ""
    return mark_safe(
        f'<div id="div_{conditional_escape(field.auto_id)}" class="mb-3{css}">{open_fieldset}{legend}'
        f"<div>{''.join(options)}</div>{help_text}{'</fieldset>' if field.label else ''}</div>"
    )
