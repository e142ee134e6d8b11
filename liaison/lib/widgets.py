"""Form widgets."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A single <select> for long lists (a city's 637 offices or teams in a filter): the same HTML as
    `forms.Select`, with the options written in Python rather than one template render per option,
    which took most of a page's time at city scale (bench/README.md). Option groups are not
    supported: give it a flat list of choices."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group, _index in widget["optgroups"]:
            if group_name:
                raise ValueError("LongSelect does not render option groups.")
            options.extend(group)
        body = format_html_join(
            "\n", "<option value=\"{}\"{}>{}</option>",
            ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
        )
        return format_html("<select name=\"{}\"{}>\n{}\n</select>", widget["name"], flatatt(widget["attrs"]), body)


class LongSelectMultiple(LongSelect, forms.SelectMultiple):
    """`LongSelect` for a multiple choice (a district's ~2,000 deputies to pick co-signers or an
    inquiry's participants from): the same HTML as `forms.SelectMultiple`, options written in
    Python. Its template render per option took 0.7 to 1.4 s a page at 20,000 deputies."""
