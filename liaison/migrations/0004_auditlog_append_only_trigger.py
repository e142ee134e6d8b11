"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log, whatever the
application does. The retention purge (liaison.services.audit_purge) is let through by setting
liaison.audit_purge in its own transaction (SET LOCAL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION liaison_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('liaison.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'liaison_auditlog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS liaison_auditlog_append_only ON liaison_auditlog;
CREATE TRIGGER liaison_auditlog_append_only
    BEFORE UPDATE OR DELETE ON liaison_auditlog
    FOR EACH ROW EXECUTE FUNCTION liaison_auditlog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS liaison_auditlog_append_only ON liaison_auditlog;
DROP FUNCTION IF EXISTS liaison_auditlog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("liaison", "0003_security")]

    operations = [migrations.RunPython(forwards, backwards)]
