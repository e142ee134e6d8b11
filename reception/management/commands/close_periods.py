"""Close ended reception periods by hand (the same job as the daily Celery task): deputies
without an outcome are absent without reason, and the escalation steps of [000 十一] are raised.
Running it again creates nothing new. By default only periods that ended in the last month are
closed; `--since` reaches further back on purpose."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reception.activity_services import periods_close_due


class Command(BaseCommand):
    help = "Close ended reception periods and raise attendance escalations (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--since", default=None, help="Also close periods that ended on or after this date (YYYY-MM-DD).")

    def handle(self, *args, since, **options):
        if since:
            try:
                since = datetime.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError("--since takes a date: YYYY-MM-DD") from exc
        created = periods_close_due(since=since)
        self.stdout.write(f"{created} escalation(s) raised.")
