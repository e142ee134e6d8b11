"""Delete audit entries older than AUDIT_RETENTION_DAYS — the nightly beat job's work, runnable by
hand. Deployments that revoke DELETE on the audit table from the application's database role
(docs/security.md) switch the beat entry off and run this command from cron with the
maintenance role's DATABASE_URL instead."""

from django.core.management.base import BaseCommand

from liaison.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit log entries older than the configured retention (AUDIT_RETENTION_DAYS)."

    def handle(self, **options):
        deleted = audit_purge()
        self.stdout.write(f"Deleted {deleted} audit entries older than the retention.")
