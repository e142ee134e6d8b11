"""Django admin's admin/includes/fieldset.html and the rows of its tabular inline written in Python.

The change forms of the team, deputy, office and work plan admins (offices/admin/change_form.html)
draw their fieldsets through `admin_fieldset`, and their tabular inlines (a team's members, a
plan's 22 activities) their rows through `admin_tabular_rows`: drawn through Django's templates,
their per-field branches (errors, checkbox, read-only, help text) were most of those pages' time at
city scale (issue 10). Both write the same tags, attributes and text (whitespace aside);
tests/offices/test_admin_render.py and tests/reception/test_work_plan_render.py compare the pages
with the ones drawn through Django's own templates."""

from urllib.parse import quote

from django import template
from django.contrib.admin.templatetags.admin_modify import cell_count
from django.contrib.admin.templatetags.admin_urls import admin_urlname, admin_urlquote
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


@register.simple_tag
def admin_tabular_rows(inline_admin_formset):
    """The rows of Django admin's admin/edit_inline/tabular.html (its `{% for inline_admin_form %}`
    loop) written in Python: a team's 29 membership rows through that loop were most of the team
    page's time at city scale (issue 10). Same tags, attributes and text, whitespace aside;
    tests/offices/test_admin_render.py compares the pages with the ones drawn through tabular.html."""
    esc = conditional_escape
    formset = inline_admin_formset
    prefix = esc(formset.formset.prefix)
    can_delete = formset.formset.can_delete and formset.has_delete_permission
    forms = list(formset)
    out = []
    for index, row in enumerate(forms):
        empty = index == len(forms) - 1 and formset.has_add_permission
        if row_errors := row.form.non_field_errors():
            out.append(f'<tr class="row-form-errors"><td colspan="{cell_count(row)}">{esc(row_errors)}</td></tr>')
        classes = "form-row " + ("has_original" if row.original or row.show_url else "")
        if empty:
            classes += " empty-form"
        out.append(f'<tr class="{classes}" id="{prefix}-{"empty" if empty else index}">')
        out.append('<td class="original">')
        if row.original or row.show_url:
            out.append("<p>")
            if row.original:
                out.append(esc(row.original))
                if row.model_admin.show_change_link and row.model_admin.has_registered_model:
                    url = reverse(
                        admin_urlname(row.model_admin.opts, "change"),
                        args=[admin_urlquote(row.original.pk)],
                        current_app=row.model_admin.admin_site.name,
                    )
                    if formset.has_change_permission:
                        out.append(f'<a href="{esc(url)}" class="inlinechangelink">{esc(_("Change"))}</a>')
                    else:
                        out.append(f'<a href="{esc(url)}" class="inlineviewlink">{esc(_("View"))}</a>')
            if row.show_url:
                out.append(f'<a href="{esc(row.absolute_url)}">{esc(_("View on site"))}</a>')
            out.append("</p>")
        if row.needs_explicit_pk_field():
            out.append(esc(row.pk_field().field))
        if fk_field := row.fk_field():
            out.append(esc(fk_field.field))
        out.append("</td>")
        for fieldset in row:
            for line in fieldset:
                for field in line:
                    readonly = field.is_readonly
                    name = _field_name(field)
                    classes = f"field-{esc(name)}" if name else ""
                    if not readonly and field.field.is_hidden:
                        classes += " hidden"
                    out.append(f'<td class="{classes}">')
                    if readonly:
                        out.append(f"<p>{esc(field.contents())}</p>")
                    else:
                        out.append(f"{esc(field.field.errors.as_ul())}\n{esc(field.field)}")
                    out.append("</td>")
        deletion = esc(row.deletion_field().field) if can_delete and row.original else ""
        out.append(f'<td class="delete">{deletion}</td>')
        out.append("</tr>")
    return mark_safe("\n".join(out))


@register.simple_tag(takes_context=True)
def admin_sidebar_app_list(context):
    """Django admin's admin/app_list.html as its nav_sidebar.html includes it (show_changelinks
    off), written in Python: the sidebar of some 50 models on every admin page took 2.6 ms of
    template rendering at city scale (issue 10). Same tags, attributes and text, whitespace aside;
    tests/liaison/test_admin_sidebar.py compares it with Django's templates."""
    esc = conditional_escape
    app_list = context.get("available_apps")
    if not app_list:
        return mark_safe(f"<p>{esc(_('You don’t have permission to view or edit anything.'))}</p>")
    path = quote(context["request"].path)  # {{ request.path|urlencode }}
    out = []
    t_model, t_add_link, t_change_link = esc(_("Model name")), esc(_("Add link")), esc(_("Change or view list link"))
    t_add = esc(_("Add"))
    for app in app_list:
        label = esc(app["app_label"])
        current = " current-app" if str(app["app_url"]) in path else ""
        # As blocktranslate writes it: the name escaped, the translated words as they are.
        title = _("Models in the %(name)s application") % {"name": esc(app["name"])}
        out.append(
            f'<div class="app-{label} module{current}"><table><caption>'
            f'<a href="{esc(app["app_url"])}" class="section" title="{title}">{esc(app["name"])}</a></caption>'
            f'<thead class="visually-hidden"><tr><th scope="col">{t_model}</th><th scope="col">{t_add_link}</th>'
            f'<th scope="col">{t_change_link}</th></tr></thead>'
        )
        for model in app["models"]:
            name = esc(str(model["object_name"]).lower())
            admin_url = model.get("admin_url")
            here = bool(admin_url) and str(admin_url) in path
            out.append(f'<tr class="model-{name}{" current-model" if here else ""}"><th scope="row" id="{label}-{name}">')
            if admin_url:
                current_page = ' aria-current="page"' if here else ""
                out.append(f'<a href="{esc(admin_url)}"{current_page}>{esc(model["name"])}</a>')
            else:
                out.append(esc(model["name"]))
            out.append("</th>")
            if add_url := model.get("add_url"):
                out.append(f'<td><a href="{esc(add_url)}" class="addlink" aria-describedby="{label}-{name}">{t_add}</a></td>')
            else:
                out.append("<td></td>")
            out.append("</tr>")
        out.append("</table></div>")
    return mark_safe("\n".join(out))
