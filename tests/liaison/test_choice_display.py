"""The models' fast get_FOO_display() (liaison.lib.choices) says what Django's does, in every
language, for every choice, for a value outside the choices and for callable choices."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from liaison.lib.choices import ChoiceDisplayMixin


def _fields_with_choices():
    for model in apps.get_models():
        if not issubclass(model, ChoiceDisplayMixin):
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_the_mixin_is_on_the_models_that_list_pages_show():
    names = {m.__name__ for m, _f in _fields_with_choices()}
    assert {"User", "Case", "CaseDispatch", "CaseEvent", "Entry", "Claim", "Review", "Activity", "WorkPlanItem"} <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_label_is_djangos_own_in_the_active_language(language):
    checked = 0
    with translation.override(language):
        for model, field in _fields_with_choices():
            display = getattr(model, f"get_{field.name}_display")
            for value in [*(v for v, _label in field.flatchoices), "no-such-value"]:
                obj = model()
                setattr(obj, field.attname, value)
                ours = display(obj)
                assert ours == models.Model._get_FIELD_display(obj, field), (model, field.name, value)
                assert type(ours) is str or ours == "no-such-value"
                checked += 1
    assert checked > 50


def test_the_label_follows_the_language_of_each_call():
    from cases.models import Case

    case = Case(status=Case._meta.get_field("status").flatchoices[0][0])
    with translation.override("en"):
        english = case.get_status_display()
    with translation.override("zh-hans"):
        chinese = case.get_status_display()
    assert english != chinese
    with translation.override("en"):
        assert case.get_status_display() == english


def test_changed_choices_are_read_again():
    from cases.models import Case

    field = Case._meta.get_field("channel")
    original = field.choices
    case = Case(channel=original[0][0])
    try:
        field.choices = [(original[0][0], "Renamed")]
        assert case.get_channel_display() == "Renamed"
    finally:
        field.choices = original
    assert case.get_channel_display() == models.Model._get_FIELD_display(case, field)
