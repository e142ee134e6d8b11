"""The audit log's guard in PostgreSQL, closing two holes of the first trigger (0004):

- TRUNCATE fired no row trigger: a statement-level trigger now refuses it.
- Any session could SET LOCAL liaison.audit_purge = 'on' and then DELETE. The switch now counts
  only for a role that is (or is a member of) the table's owner, and the application reaches it
  only through liaison_auditlog_purge(cutoff), a SECURITY DEFINER function owned by the migrating
  (owner) role that sets the switch for its own DELETE and deletes nothing younger than
  MIN_RETENTION by the database's own clock. A compromised application role can call it, but
  only to remove entries the retention lets go anyway.

An owner can always disable its own triggers, which is why production migrates as a separate
owner role and runs the application as a role that owns nothing (README, docs/security.md).
"""

from django.db import migrations

# The Cybersecurity Law asks for six months; issue 6 asked for a year, the default of
# AUDIT_RETENTION_DAYS. A longer setting is honoured, a shorter one cannot go below this.
MIN_RETENTION = "365 days"

GUARD = """
CREATE OR REPLACE FUNCTION liaison_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND current_setting('liaison.audit_purge', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        IF TG_LEVEL = 'ROW' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'liaison_auditlog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS liaison_auditlog_no_truncate ON liaison_auditlog;
CREATE TRIGGER liaison_auditlog_no_truncate
    BEFORE TRUNCATE ON liaison_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION liaison_auditlog_append_only();
"""

# The switch is set in the body: a function's own SET clause may name a custom parameter only when
# a superuser creates it, and the owner role is not one.
PURGE = """
CREATE OR REPLACE FUNCTION liaison_auditlog_purge(cutoff timestamptz) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = {schema}, pg_temp
AS $$
DECLARE
    deleted bigint;
    previous text := coalesce(current_setting('liaison.audit_purge', true), '');
BEGIN
    PERFORM set_config('liaison.audit_purge', 'on', true);
    DELETE FROM liaison_auditlog WHERE at < LEAST(cutoff, now() - interval '{min_retention}');
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('liaison.audit_purge', previous, true);
    RETURN deleted;
END;
$$;
REVOKE ALL ON FUNCTION liaison_auditlog_purge(timestamptz) FROM PUBLIC;
"""

# Back to 0004: the row trigger honouring the switch for anyone, no TRUNCATE guard, no function.
UNDO = """
DROP FUNCTION IF EXISTS liaison_auditlog_purge(timestamptz);
DROP TRIGGER IF EXISTS liaison_auditlog_no_truncate ON liaison_auditlog;
CREATE OR REPLACE FUNCTION liaison_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('liaison.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'liaison_auditlog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
    schema_editor.execute(GUARD, params=None)
    schema_editor.execute(PURGE.format(schema=schema, min_retention=MIN_RETENTION), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO, params=None)


class Migration(migrations.Migration):
    dependencies = [("liaison", "0007_sms_outbox_secrets_and_district")]

    operations = [migrations.RunPython(forwards, backwards)]
