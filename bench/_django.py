"""Start Django for a bench script run from the repository root (`python bench/<script>.py`), with
the settings the benchmarks need whatever the environment: plain static storage (no collectstatic)
and staff logged in with one factor (force_login stands in for the login form)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def setup():
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.REQUIRE_STAFF_2FA = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return settings


def require_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "The benchmarks run on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            f"(this is {connection.vendor})."
        )
    # Data generated before a newer migration landed: bring the schema up to date first.
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Applying new migrations to the bench database...")
        call_command("migrate", verbosity=0)


def machine():
    """One line naming the machine and database, for the figures in README.md."""
    import platform

    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        with open("/proc/meminfo") as fh:
            mem_gb = int(fh.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        mem_gb = 0
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GB RAM; Python {platform.python_version()}; "
        f"PostgreSQL {pg}"
    )
