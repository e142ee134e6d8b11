"""liaison.lib.views.show_error: a service's refusal reaches the person, on the form or as messages."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from liaison.lib.views import error_messages, show_error


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_a_validation_error_gives_each_of_its_messages():
    assert error_messages(ValidationError(["one", "two"])) == ["one", "two"]
    assert error_messages(ValidationError("Case %(code)s is closed.", params={"code": "A1"})) == ["Case A1 is closed."]


def test_a_permission_refusal_gives_its_text():
    assert error_messages(PermissionDenied("Not yours.")) == ["Not yours."]


def test_with_a_form_the_messages_go_on_top_of_the_form_and_not_to_the_next_page():
    request = _request()
    form = _Form(data={"name": "typed"})
    assert form.is_valid()
    show_error(request, ValidationError(["one", "two"]), form=form)
    assert form.non_field_errors() == ["one", "two"]
    assert form.data["name"] == "typed"
    assert list(get_messages(request)) == []


def test_without_a_form_each_message_is_an_error_on_the_next_page():
    request = _request()
    show_error(request, PermissionDenied("Not yours."))
    show_error(request, ValidationError(["one", "two"]))
    shown = list(get_messages(request))
    assert [m.message for m in shown] == ["Not yours.", "one", "two"]
    assert {m.level_tag for m in shown} == {"error"}
