"""The messages storage (liaison.lib.messages_storage): Django's cookie-then-session storage whose
backends are built only when a message is added or read (issue 10's floor). Messages still travel
to the next page, by cookie and, when they outgrow it, through the session."""

import hashlib

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.urls import path

from liaison.lib.messages_storage import LazyFallbackStorage

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _text(i):
    # Text that does not compress (the cookie is compressed), so that 30 outgrow the cookie.
    return f"消息 {i} " + hashlib.sha512(str(i).encode()).hexdigest() + hashlib.sha512(str(-i).encode()).hexdigest()


def _add(request, count):
    for i in range(count):
        messages.info(request, _text(i))
    return HttpResponse("added")


def _show(request):
    return HttpResponse("\n".join(str(m) for m in messages.get_messages(request)))


def _quiet(request):
    return HttpResponse("quiet")


urlpatterns = [
    path("add/<int:count>/", _add),
    path("show/", _show),
    path("quiet/", _quiet),
]


def test_a_request_without_messages_builds_no_backend(client):
    response = client.get("/quiet/")
    storage = response.wsgi_request._messages
    assert isinstance(storage, LazyFallbackStorage)
    assert "storages" not in storage.__dict__
    assert "messages" not in response.cookies


def test_a_message_added_is_shown_on_the_next_page_once(client):
    client.get("/add/1/")
    assert client.get("/show/").content.decode() == _text(0)
    assert client.get("/show/").content == b""


def test_messages_beyond_the_cookie_go_through_the_session_and_all_arrive(client):
    """The cookie holds about 2 KB of messages; the rest go to the session, as with Django's own
    FallbackStorage."""
    assert "messages" in client.get("/add/30/").cookies
    assert client.session.get("_messages")  # the overflow, in the stored session
    shown = client.get("/show/").content.decode().split("\n")
    assert shown == [_text(i) for i in range(30)]
    assert client.get("/show/").content == b""
