"""MLPS 8.1.4.4 入侵防范 / issue 6 item 9: the Content Security Policy forbids inline script (and
inline style), so no page of ours may need one. Scans every template and every piece of Python that
writes HTML, and checks that every kind of page carries the header."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "var", "node_modules", ".git", "static", "media", "staticfiles", "htmlcov"}

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
EVENT_ATTR = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"(?:^|\s)style\s*=", re.I)
SRC_ATTR = re.compile(r"(?:^|\s)src\s*=", re.I)
# Python that writes HTML attributes (format_html, mark_safe, f-strings).
PY_INLINE = re.compile(r"""<script(?![^>]*\bsrc=)|\son[a-z]+=\\?["']|\sstyle=\\?["']|<style""", re.I)


def _files(suffix):
    for path in BASE.rglob(f"*{suffix}"):
        parts = set(path.relative_to(BASE).parts)
        if parts & SKIP_DIRS:
            continue
        yield path


def _templates():
    return [p for p in _files(".html") if "templates" in p.relative_to(BASE).parts]


def _directive(name):
    return [str(v) for v in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get(name, [])]


def _inline_problems(text):
    problems = []
    for match in TAG.finditer(text):
        name, attrs = match.group(1).lower(), match.group(2)
        if name == "script" and not SRC_ATTR.search(attrs):
            problems.append(f"inline <script>: {match.group(0)[:80]}")
        if EVENT_ATTR.search(attrs):
            problems.append(f"inline event handler: {match.group(0)[:80]}")
        if STYLE_ATTR.search(attrs) and "'unsafe-inline'" not in _directive("style-src"):
            problems.append(f"inline style attribute: {match.group(0)[:80]}")
        if name == "style" and "'unsafe-inline'" not in _directive("style-src"):
            problems.append("inline <style> element")
    return problems


def test_the_policy_allows_no_inline_script_or_style():
    assert _directive("script-src") == ["'self'"]
    assert "'unsafe-inline'" not in _directive("style-src") and "'unsafe-eval'" not in _directive("script-src")
    assert _directive("object-src") == ["'none'"] and _directive("frame-ancestors") == ["'none'"]


def test_the_scanner_finds_inline_script_handlers_and_styles():
    # The scan below proves nothing unless it can fail.
    assert len(_inline_problems('<script>alert(1)</script><a href="#" onclick="x()">x</a><p style="color:red">')) == 3
    assert _inline_problems('<script src="/static/js/a.js" defer></script><p class="x" data-on="1">') == []


def test_no_template_has_inline_script_event_handlers_or_style_attributes():
    templates = _templates()
    assert len(templates) > 30, "the scan did not find the templates"
    problems = {str(p.relative_to(BASE)): _inline_problems(p.read_text(encoding="utf-8")) for p in templates}
    assert {k: v for k, v in problems.items() if v} == {}


def test_no_python_code_writes_inline_script_handlers_or_styles():
    offenders = []
    for path in _files(".py"):
        rel = path.relative_to(BASE)
        # Tests, benchmarks and maintenance scripts serve no page.
        if rel.parts[0] in ("tests", "bench", "scripts") or "migrations" in rel.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PY_INLINE.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()[:100]}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["login", "public:offices", "privacy:start", "admin:login", "home"])
def test_every_kind_of_page_carries_the_policy_header(client, world, url):
    if url == "home":
        client.force_login(world.liaison)
    response = client.get(reverse(url))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp


def _respond(view, path="/"):
    from django.test import RequestFactory

    from liaison.security.csp import CSPMiddleware

    return CSPMiddleware(view)(RequestFactory().get(path))


def test_the_header_built_once_is_the_one_django_csp_builds():
    """liaison.security.csp keeps the header text instead of rebuilding it per response: the same
    text as django-csp's own middleware writes."""
    from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    theirs = DjangoCSPMiddleware(lambda request: HttpResponse("x"))(RequestFactory().get("/"))
    ours = _respond(lambda request: HttpResponse("x"))
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in ours


def test_a_changed_policy_setting_is_followed(settings):
    from django.http import HttpResponse

    before = _respond(lambda request: HttpResponse("x"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://maps.example"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    after = _respond(lambda request: HttpResponse("x"))
    assert after["Content-Security-Policy"] != before and "img-src https://maps.example" in after["Content-Security-Policy"]
    assert after["Content-Security-Policy-Report-Only"] == "default-src 'none'"


def test_a_nonce_or_a_per_view_policy_goes_through_django_csp(settings):
    from csp.constants import NONCE
    from csp.decorators import csp_update
    from django.http import HttpResponse

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    response = _respond(with_nonce)
    assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]
    updated = _respond(csp_update({"img-src": ["https://maps.example"]})(lambda request: HttpResponse("x")))
    assert "https://maps.example" in updated["Content-Security-Policy"]
    plain = _respond(lambda request: HttpResponse("x"))
    assert "nonce-" not in plain["Content-Security-Policy"]


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse
    from django.test import RequestFactory

    from liaison.security.csp import CSPMiddleware

    request = RequestFactory().get("/")
    CSPMiddleware(lambda request: HttpResponse("x"))(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
