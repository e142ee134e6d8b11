"""The role × view matrix (issue 11): every URL pattern of the portal and of the admin site,
requested by every persona, GET and POST, on the persona's own object and on another district's.

The allowed sets live in tests/security/role_view_table.py (its docstring explains the format);
the world in tests/security/role_view_world.py. A URL pattern missing from the table fails
`test_every_url_pattern_is_in_the_table`, so a new view cannot ship without a scope rule.

What is asserted, for each (URL, persona, method):
- allowed: GET answers the row's `ok` status (200 unless stated); POST is neither refused nor
  sent to the login page (the empty POST usually gets the form back with its errors);
- refused: 403, 404, 405, or a redirect to the login page (the admin's own "no such object"
  redirect to its index counts as a refusal on admin URLs) — and the request wrote no row outside
  the session, audit and login-attempt tables.

Each request runs in a savepoint that is rolled back, so an allowed POST cannot change what the
next persona sees. The world is built once per module.
"""

import logging
import re
from contextlib import contextmanager
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.role_view_table import ADMIN, ADMIN_SITE, PORTAL, AdminRule, Rule
from tests.security.role_view_world import PERSONAS, build_matrix_world

# Tables a refused request may still write to: its session, the audit log (refusals are audited)
# and the login-attempt records.
HARMLESS_TABLES = re.compile(r"^(django_session|liaison_auditlog|axes_\w+)$")
WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)
ADMIN_SITE_PERSONAS = frozenset(ADMIN_SITE.split())
ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "delete", "history", "simple_history")


# ---------------------------------------------------------------- the URLconf, walked


def _walk(resolver, namespace=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def url_names():
    return sorted(set(_walk(get_resolver())))


def admin_model_keys():
    return sorted(m._meta.label_lower for m in admin.site._registry)


# ---------------------------------------------------------------- the world, built once


def _plain(status):
    def handler(request, exception=None):
        return HttpResponse(status=status)

    return handler


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The world, and the personas' signed-in clients. Refusals answer plain 403/404 pages and are
    not logged here: rendering the full error page and formatting a traceback for each of
    thousands of refusals would make the test slow, and only the status matters to it."""
    urlconf = import_module(settings.ROOT_URLCONF)
    request_logger = logging.getLogger("django.request")
    # Sessions in signed cookies: no session row to read on each of thousands of requests (which
    # sessions live where changes nothing in who may see what).
    cookie_sessions = override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
    with pytest.MonkeyPatch.context() as mp, cookie_sessions, django_db_blocker.unblock():
        for status in (400, 403, 404):
            mp.setattr(urlconf, f"handler{status}", _plain(status), raising=False)
        mp.setattr(request_logger, "disabled", True)
        with transaction.atomic():
            built = build_matrix_world()
            clients = {"anon": Client()}
            for name, user in built.users.items():
                client = Client()
                client.force_login(user)
                clients[name] = client
            built.clients = clients
            yield built
            transaction.set_rollback(True)


@contextmanager
def _recording_writes():
    writes = []

    def record(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match:
            writes.append(match.group(2))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield writes


def _request(client, method, url, data=None):
    """One request in a savepoint rolled back afterwards; returns (response, tables written).
    The persona's session cookie is put back: a POST to a logout page would otherwise sign the
    persona out for the rest of the module."""
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    with transaction.atomic():
        with _recording_writes() as writes:
            response = client.post(url, data or {}) if method == "POST" else client.get(url)
        transaction.set_rollback(True)
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    elif settings.SESSION_COOKIE_NAME in client.cookies:
        del client.cookies[settings.SESSION_COOKIE_NAME]
    return response, sorted({t for t in writes if not HARMLESS_TABLES.match(t)})


def _to_login(response):
    location = response.get("Location", "")
    return response.status_code == 302 and (location.startswith("/accounts/login/") or location.startswith("/admin/login/"))


def _refused(response, *, admin_url):
    if response.status_code in (403, 404, 405) or _to_login(response):
        return True
    # The admin answers an object outside the staff member's scope with "does not exist" and a
    # redirect to its index.
    return admin_url and response.status_code == 302 and response.get("Location", "") == reverse("admin:index")


def _check(matrix, checks, *, admin_url=False):
    """checks: (persona, method, url, allowed, ok statuses, POST data). For POST, `ok` None means
    any answer but a refusal. Returns failure lines."""
    failures = []
    for persona, method, url, allowed, ok, data in checks:
        cache.clear()  # rate limits of the public pages count per client address
        response, writes = _request(matrix.clients[persona], method, url, data)
        status = response.status_code
        if allowed:
            if method == "GET" and status not in ok:
                failures.append(f"{persona} GET {url} → {status} {response.get('Location', '')}, expected {ok}")
            elif method == "POST" and ok is not None and status not in ok:
                failures.append(f"{persona} POST {url} → {status} {response.get('Location', '')}, expected {ok}")
            elif method == "POST" and ok is None and (status in (403, 404) or _to_login(response) or status >= 500):
                failures.append(f"{persona} POST {url} → {status} {response.get('Location', '')}, expected allowed")
        else:
            if not _refused(response, admin_url=admin_url):
                failures.append(f"{persona} {method} {url} → {status} {response.get('Location', '')}, expected refusal")
            elif writes:
                failures.append(f"{persona} {method} {url} refused but wrote to {writes}")
    return failures


def _value(matrix, key, side):
    pair = matrix.objects[key]
    obj = pair[0] if side == "own" else pair[1]
    if obj is None or isinstance(obj, (str, int)):
        return obj
    return obj.pk


# ---------------------------------------------------------------- portal (and custom admin) URLs


def _portal_checks(matrix, name, rule):
    checks = []
    sides = ["own", "other"] if rule.kwargs else ["own"]
    for side in sides:
        kwargs = {}
        for param, key in rule.kwargs.items():
            kwargs[param] = _value(matrix, key, side)
        if any(v is None for v in kwargs.values()):
            continue
        url = reverse(name.split("#")[0], kwargs=kwargs) + rule.query
        own_post = rule.get if rule.post is None else rule.post
        get_ok, post_ok = (rule.get, own_post) if side == "own" else (rule.other_get, rule.other_post)
        ok = rule.ok if side == "own" else rule.other_ok
        # On the other side's object only the personas the view lets in matter: the others were
        # refused by role on their own object already.
        personas = PERSONAS if side == "own" else [p for p in PERSONAS if p in rule.get | own_post | rule.personas()]
        for persona in personas:
            checks.append((persona, "GET", url, persona in get_ok, ok, None))
            if rule.post is not None or persona not in get_ok:
                checks.append((persona, "POST", url, persona in post_ok, rule.post_ok, rule.data))
    return checks


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_portal_url_refuses_every_persona_outside_its_scope(matrix, db, name):
    failures = _check(matrix, _portal_checks(matrix, name, PORTAL[name]), admin_url=name.startswith("admin:"))
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- admin: every registered model


def _admin_checks(matrix, label, rule):
    """The five views of a model for every persona. A write the persona is allowed (an admin
    POST) is not replayed: the refusals are what the matrix is about, and rendering every form
    twice more for the allowed would double the test's time. An allowed persona on the other
    side's object is checked on the change page only (the scoping is the queryset's, one for all
    views)."""
    app_label, model_name = label.split(".")
    url = lambda view, *args: reverse(f"admin:{app_label}_{model_name}_{view}", args=args)  # noqa: E731
    checks = []

    def add(persona, method, target, allowed, data=None):
        if not (allowed and method == "POST"):
            checks.append((persona, method, target, allowed, (200,), data))

    for persona in PERSONAS:
        add(persona, "GET", url("changelist"), persona in rule.view)
        add(persona, "GET", url("add"), persona in rule.add)
        add(persona, "POST", url("add"), persona in rule.add)
    for side in ("own", "other"):
        pk = _value(matrix, rule.obj, side)
        if pk is None:
            continue
        sees = rule.reach(rule.view | rule.change, side)
        changes, deletes = rule.reach(rule.change, side), rule.reach(rule.delete, side)
        history = _simple_history_url(app_label, model_name, matrix.objects[rule.obj][0 if side == "own" else 1])
        for persona in PERSONAS:
            if persona not in ADMIN_SITE_PERSONAS:
                # The admin site sends every other persona to its login page before any model
                # code runs: one read and one write per object are enough to show it.
                if side == "own":
                    add(persona, "GET", url("change", pk), False)
                    add(persona, "POST", url("delete", pk), False, {"post": "yes"})
                continue
            if side == "other" and persona not in rule.view | rule.change | rule.delete:
                continue
            add(persona, "GET", url("change", pk), persona in sees)
            if side == "other" and persona in sees:
                continue
            add(persona, "GET", url("history", pk), persona in sees)
            add(persona, "POST", url("change", pk), persona in changes)
            add(persona, "GET", url("delete", pk), persona in deletes)
            add(persona, "POST", url("delete", pk), persona in deletes, {"post": "yes"})
            if history:
                add(persona, "GET", history, persona in sees)
    return checks


def _simple_history_url(app_label, model_name, obj):
    """django-simple-history's page of one past version, for the models that keep versions."""
    manager = getattr(type(obj), "history", None)
    if manager is None or not hasattr(obj, "history"):
        return None
    version = obj.history.order_by("-history_id").first()
    if version is None:
        return None
    return reverse(f"admin:{app_label}_{model_name}_simple_history", args=[obj.pk, version.history_id])


def test_every_url_pattern_is_in_the_table():
    """A new view must say who may use it: add its row to tests/security/role_view_table.py."""
    declared = {name.split("#")[0] for name in PORTAL}
    generated = {
        f"admin:{label.replace('.', '_')}_{view}" for label in ADMIN for view in ADMIN_MODEL_VIEWS
    }
    missing = [name for name in url_names() if name not in declared and name not in generated]
    assert missing == [], f"URL names without a row in role_view_table.PORTAL: {missing}"
    assert sorted(set(admin_model_keys()) - set(ADMIN)) == [], "admin models without a row in role_view_table.ADMIN"
    assert sorted(declared - set(url_names())) == [], "rows for URL names that no longer exist"


@pytest.mark.parametrize("label", sorted(ADMIN))
def test_admin_model_refuses_every_persona_outside_its_scope(matrix, db, label):
    failures = _check(matrix, _admin_checks(matrix, label, ADMIN[label]), admin_url=True)
    assert not failures, "\n".join(failures)


def test_the_table_uses_known_personas_and_objects(matrix, db):
    for name, rule in PORTAL.items():
        assert isinstance(rule, Rule), name
        assert rule.personas() <= set(PERSONAS), name
        assert set(rule.kwargs.values()) <= set(matrix.objects), name
    for label, rule in ADMIN.items():
        assert isinstance(rule, AdminRule), label
        assert rule.obj in matrix.objects, label
