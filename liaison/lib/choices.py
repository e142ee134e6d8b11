"""get_FOO_display() for the models that list pages show many times per request.

Django's version builds a dict of the field's choices on every call and hashes each (value,
label) pair on the way, which translates every lazy label of the field: a case's status label cost
about 50 µs on a loaded machine, and a queue of 25 cases asked for 50 of them (issue 10: the list
pages spent more time in their templates than in SQL). The mixin looks the value up in a dict
built once per field, and translates only the label it returns: the same string in the same
language.
"""

from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str


def choice_labels(field):
    """{value: label (lazy)} of a field's flattened choices, kept on the field for as long as its
    choices are the same object; callable choices are read afresh each time, as Django does."""
    choices = field.choices
    if isinstance(choices, CallableChoiceIterator):
        return dict(field.flatchoices)
    cached = field.__dict__.get("_display_labels")
    if cached is None or cached[0] is not choices:
        cached = (choices, dict(field.flatchoices))
        field.__dict__["_display_labels"] = cached
    return cached[1]


class ChoiceDisplayMixin:
    """First base of a model (`class Case(ChoiceDisplayMixin, models.Model)`): Django binds each
    get_FOO_display() to the class's _get_FIELD_display when the field is added, so the mixin must
    be in the bases, not patched in later."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value (a JSON field with choices): Django's own way
            return super()._get_FIELD_display(field)
        # force_str() translates the lazy label, as Django's does.
        return force_str(label, strings_only=True)
