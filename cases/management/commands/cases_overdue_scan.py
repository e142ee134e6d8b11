from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cases.reminder_services import case_overdue_scan, proposal_overdue_scan


class Command(BaseCommand):
    help = "Flag overdue cases and proposals and remind owners, units and staff (the daily job, run by hand)."

    def handle(self, *args, **options):
        summary = case_overdue_scan() + proposal_overdue_scan()
        self.stdout.write(
            _("Reminders: %(forward)d not forwarded in time, %(reply)d unit replies overdue, %(proposal)d proposal "
              "replies overdue; %(already)d already flagged.")
            % {"forward": summary["forward"], "reply": summary["reply"], "proposal": summary["proposal"],
               "already": summary["already"]}
        )
