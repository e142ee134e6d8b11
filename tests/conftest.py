import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls that tests make next
# to it are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium; real-worker tests need Redis. Without them those tests
    are skipped with the reason, never silently passed."""
    from django.conf import settings

    no_browser = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    no_redis = pytest.mark.skip(reason="REDIS_URL is not set: real Celery worker tests need Redis")
    no_postgres = pytest.mark.skip(reason="DATABASE_URL does not point at PostgreSQL")
    is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        # `page` and the `person` fixture below both drive a browser.
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
            item.add_marker(no_browser)
        if item.get_closest_marker("celery_worker") and not settings.REDIS_URL:
            item.add_marker(no_redis)
        if item.get_closest_marker("postgres") and not is_postgres:
            item.add_marker(no_postgres)


def pytest_configure(config):
    from django.conf import settings

    # Fast hashing in tests only; the production hasher list is tested where it matters.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"] + list(settings.PASSWORD_HASHERS)
    # Tests run from a fresh checkout without collectstatic: plain storage, served by whitenoise
    # from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Staff two-factor is on in production; tests log staff in with one factor unless a test
    # switches it on with the settings fixture (tests/liaison/test_security.py).
    settings.REQUIRE_STAFF_2FA = False
    # One process: the local-memory cache is shared by every request, so the versioned caches
    # (liaison/lib/versions.py) run as in production.
    settings.VERSIONED_CACHE = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        _flush_as_the_owner_with_the_purge_switch()


def _flush_as_the_owner_with_the_purge_switch():
    """A transactional test's teardown empties every table with one TRUNCATE, which the audit
    log's guard (migration liaison/0008) refuses unless the table's owner sets the purge switch
    in the same transaction. The test database belongs to the test's own role, so the flush sets
    the switch, as only an owner usefully can."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL liaison.audit_purge = 'on'", *sql] if sql else sql

    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(autouse=True)
def _sms_delivered_in_memory():
    """The in-memory SMS phone starts empty in every test (ids repeat after a rollback)."""
    from liaison.lib.sms import locmem

    locmem.sent.clear()
    yield
    locmem.sent.clear()


@pytest.fixture(autouse=True)
def _no_cached_read_models_from_other_tests():
    """Read models cached under cache versions (liaison.lib.versions: the live standings) were
    computed from an earlier test's data, which its rollback took without bumping a version."""
    from liaison.lib.versions import retire_all

    retire_all()


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in the test's own process, also when REDIS_URL points the broker at Redis (the CI's
    second pass), except in tests that start a real Celery worker (marked celery_worker)."""
    from liaison.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


# Data that migrations ship (rule sets, case categories): (migration module, function name).
SHIPPED_DATA = [
    ("scoring.migrations.0002_rule_sets", "ship"),
    ("cases.migrations.0003_seed_categories", "seed"),
]


@pytest.fixture(autouse=True)
def _shipped_data_in_transactional_tests(request):
    """A transactional test's teardown flushes every table, taking the rows that data migrations
    ship with it; the next transactional test gets them back here (the shipping functions are
    idempotent or guarded)."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))):
        return
    import importlib

    from django.apps import apps

    from scoring.models import RuleSet

    request.getfixturevalue("transactional_db")
    # The flush also takes the content types, which come back with new ids: drop the cached ones
    # so that generic links (the points ledger's sources) do not point at ids that are gone.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    if RuleSet.objects.exists():
        return
    for module, func in SHIPPED_DATA:
        getattr(importlib.import_module(module), func)(apps, None)


@pytest.fixture
def world(db):
    from tests.base import build_world

    return build_world()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def login_as(client):
    """client login by username: login_as(world.liaison)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def browser_login(live_server):
    """Log a Playwright page in through the real login form."""
    from tests.base import PASSWORD

    def _login(page, username, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        return page

    return _login


@pytest.fixture
def person(browser, browser_login):
    """A fresh browser context per person (phone-sized unless a viewport is given), logged in
    through the login form as `username` when one is given; all closed at the end of the test."""
    contexts = []

    def _open(username=None, viewport=None):
        context = browser.new_context(locale="zh-CN", viewport=viewport or {"width": 390, "height": 844})
        contexts.append(context)
        page = context.new_page()
        if username:
            browser_login(page, username)
        return page

    yield _open
    for context in contexts:
        context.close()

