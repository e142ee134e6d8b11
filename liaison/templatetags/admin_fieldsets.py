"""Django admin's admin/includes/fieldset.html written in Python, for inlines of many rows.

The stacked inline of a year's work plan draws 22 items (and the blank row template) of ten fields
each through that template: its per-field branches (errors, checkbox, read-only, help text) were
most of the admin plan page's time at city scale (issue 10). `admin_fieldset` writes the same tags,
attributes and text for one fieldset (whitespace aside); tests/reception/test_work_plan_render.py
compares the page with the one drawn through Django's own stacked.html."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _field_name(field):
    # {{ field.field.name }}: a bound field's name, or the read-only field's dict entry.
    return field.field["name"] if field.is_readonly else field.field.name


@register.simple_tag
def admin_fieldset(fieldset, heading_level, prefix, id_prefix, id_suffix):
    esc = conditional_escape
    level = heading_level or 2
    heading_id = f"{esc(prefix)}-{esc(id_prefix)}-{esc(id_suffix)}-heading"
    labelled = f' aria-labelledby="{heading_id}"' if fieldset.name else ""
    out = [f'<fieldset class="module aligned {esc(fieldset.classes)}"{labelled}>']
    if fieldset.name:
        if fieldset.is_collapsible:
            out.append("<details><summary>")
        out.append(f'<h{esc(level)} id="{heading_id}" class="fieldset-heading">{esc(fieldset.name)}</h{esc(level)}>')
        if fieldset.is_collapsible:
            out.append("</summary>")
    if fieldset.description:
        out.append(f'<div class="description">{fieldset.description}</div>')
    for line in fieldset:
        single = len(line.fields) == 1
        line_errors = line.errors() if single else ""
        fields = list(line)
        classes = "form-row"
        if single and line_errors:
            classes += " errors"
        if not line.has_visible_field:
            classes += " hidden"
        for field in fields:
            if name := _field_name(field):
                classes += f" field-{esc(name)}"
        out.append(f'<div class="{classes}">')
        out.append(line_errors if single else '<div class="flex-container form-multiline">')
        for field in fields:
            readonly = field.is_readonly
            name = _field_name(field)
            hidden = False if readonly else field.field.is_hidden
            errors = "" if readonly else field.errors()
            out.append("<div>")
            if not single and not readonly:
                out.append(errors)
            box = "flex-container"
            if not single:
                box += " fieldBox"
                if name:
                    box += f" field-{esc(name)}"
                if not readonly and errors:
                    box += " errors"
                if hidden:
                    box += " hidden"
            if field.is_checkbox:
                box += " checkbox-row"
            out.append(f'<div class="{box}">')
            if field.is_checkbox:
                out.append(f"{esc(field.field)}{esc(field.label_tag())}")
            elif readonly:
                out.append(f'{esc(field.label_tag())}\n<div class="readonly">{esc(field.contents())}</div>')
            else:
                out.append(f"{esc(field.label_tag())}\n{esc(field.field)}")
            out.append("</div>")
            help_text = field.field["help_text"] if readonly else field.field.help_text
            if help_text:
                id_for_label = "" if readonly else field.field.id_for_label
                id_attr = f' id="{esc(id_for_label)}_helptext"' if id_for_label else ""
                out.append(f'<div class="help{" hidden" if hidden else ""}"{id_attr}><div>{help_text}</div></div>')
            out.append("</div>")
        if not single:
            out.append("</div>")
        out.append("</div>")
    if fieldset.name and fieldset.is_collapsible:
        out.append("</details>")
    out.append("</fieldset>")
    return mark_safe("\n".join(out))
