"""Queue the week-ahead reception reminders and deliver what is due, by hand or from cron, for
installations that run no Celery worker (SPEC §2, [000 十一])."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from liaison.lib import sms
from reception.reminder_services import reception_reminders_send


class Command(BaseCommand):
    help = (
        "Send the SMS and in-portal reminders for reception periods starting a week from today "
        "(or from --date). Safe to run more than once a day: each deputy is reminded once per period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")
        parser.add_argument(
            "--no-deliver", action="store_true", help="Only queue the messages; a worker or a later run delivers them."
        )

    def handle(self, *args, date=None, no_deliver=False, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must look like 2027-01-04, not {date!r}")
        created = reception_reminders_send(today=today)
        self.stdout.write(f"{created} reminder(s) queued.")
        if no_deliver:
            return
        summary = sms.sms_send_due()
        if summary.deferred_by_quiet_hours:
            self.stdout.write("Quiet hours (22:00–08:00): messages wait until 08:00; run this again after 08:00.")
        self.stdout.write(f"{summary.sent} sent, {summary.retrying} to retry, {summary.failed} failed.")
