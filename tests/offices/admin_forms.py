"""Post an admin change form as the browser would, from the page Django rendered."""

from django.core.files import File
from django.db.models import Model


def _value(v):
    if isinstance(v, Model):
        return v.pk
    return v


def form_data(response):
    """The data an unchanged submit of this admin add/change page sends, as a mutable dict."""
    data = {}

    def put(bound_form):
        for name in bound_form.fields:
            bf = bound_form[name]
            v = bf.value()
            key = bf.html_name
            if v is None or v is False:
                continue
            if v is True:
                data[key] = "on"
            elif isinstance(v, list | tuple):
                data[key] = [_value(x) for x in v]
            elif isinstance(v, File):
                continue
            else:
                data[key] = _value(v)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        fs = inline.formset
        mgmt = fs.management_form
        for name in mgmt.fields:
            data[mgmt[name].html_name] = mgmt[name].value()
        for f in fs.forms:
            put(f)
    data["_save"] = "Save"
    return data
