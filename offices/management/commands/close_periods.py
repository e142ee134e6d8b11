"""Close ended reception periods by hand (the same job as the daily Celery task): deputies
without an outcome are absent without reason, and the escalation steps of [000 十一] are raised.
Running it again creates nothing new."""

from django.core.management.base import BaseCommand

from offices.activities import periods_close_due


class Command(BaseCommand):
    help = "Close ended reception periods and raise attendance escalations (idempotent)."

    def handle(self, *args, **options):
        created = periods_close_due()
        self.stdout.write(f"{created} escalation(s) raised.")
