"""Delete audit entries older than AUDIT_RETENTION_DAYS — the nightly beat job's work, runnable by
hand. On PostgreSQL it goes through the owner's purge function (liaison.services.audit_purge), so
the application's role runs it too, though it may not DELETE from the audit table itself."""

from django.core.management.base import BaseCommand

from liaison.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit log entries older than the configured retention (AUDIT_RETENTION_DAYS)."

    def handle(self, **options):
        deleted = audit_purge()
        self.stdout.write(f"Deleted {deleted} audit entries older than the retention.")
