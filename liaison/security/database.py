"""PostgreSQL roles: the application runs as a role that owns nothing, so that the audit log's
append-only trigger (migrations liaison/0004 and 0008) cannot be switched off by it. `migrate`,
run as the owner role, grants the application role (DATABASE_APP_ROLE) what it needs after every
run, so new tables are covered without a hand-kept list of statements (README, docs/security.md)."""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from liaison.models import AuditLog

_ROLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def app_role_grants(*, schema, app_role, quote):
    """The statements that give `app_role` the use of every table and take from it any way to
    change or remove an audit entry, except the purge function."""
    role, schema, audit = quote(app_role), quote(schema), quote(AuditLog._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # The layer under the trigger: appending only.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{audit} FROM {role}",
        f"GRANT EXECUTE ON FUNCTION {schema}.liaison_auditlog_purge(timestamptz) TO {role}",
    ]


def database_grants_apply(*, app_role, using="default"):
    """Grant `app_role` the application's rights on the current schema. Refuses to run as that role
    itself: a migration run by the application's role would make it the owner of new tables."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not app_role:
        return []
    if not _ROLE.match(app_role):
        raise ImproperlyConfigured(f"DATABASE_APP_ROLE {app_role!r} is not a plain PostgreSQL role name.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
        if user == app_role:
            raise ImproperlyConfigured(
                "manage.py migrate runs as the owner role, not as DATABASE_APP_ROLE: the application's role must own "
                "no table (docs/security.md, Database roles and grants)."
            )
        statements = app_role_grants(schema=schema, app_role=app_role, quote=connection.ops.quote_name)
        for statement in statements:
            cursor.execute(statement)
    return statements


def grant_app_role_after_migrate(sender, using="default", **kwargs):
    """post_migrate receiver (connected once, for this app, in LiaisonConfig.ready)."""
    database_grants_apply(app_role=settings.DATABASE_APP_ROLE, using=using)


@checks.register(checks.Tags.security, deploy=True)
def check_app_role(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("postgresql") and not settings.DATABASE_APP_ROLE:
        return [
            checks.Warning(
                "DATABASE_APP_ROLE is not set: the application probably owns its tables and could switch off the audit "
                "log's append-only trigger.",
                hint="Migrate as a separate owner role and run the portal as DATABASE_APP_ROLE (README, Production).",
                id="liaison.W003",
            )
        ]
    return []
