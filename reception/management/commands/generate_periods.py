"""Lay out a year's reception periods for every district from its rule (SPEC §2, [000 四])."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from offices.models import Jurisdiction
from reception.models import StatutoryHoliday
from reception.period_services import reception_periods_generate


class Command(BaseCommand):
    help = "Generate (or refresh) the reception periods of a year. Periods edited by staff are kept."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="Calendar year (default: next year).")
        parser.add_argument("--district", action="append", default=[], help="Only this district (name); repeatable.")

    def handle(self, *args, year, district, **options):
        year = year or timezone.localdate().year + 1
        districts = None
        if district:
            districts = list(Jurisdiction.objects.filter(name__in=district, level__in=["district", "new_district"]))
            missing = set(district) - {d.name for d in districts}
            if missing:
                raise CommandError(f"Unknown district(s): {', '.join(sorted(missing))}")
        stats = reception_periods_generate(year=year, districts=districts)
        if not StatutoryHoliday.objects.filter(date__year=year).exists():
            self.stdout.write(
                self.style.WARNING(
                    f"No statutory holidays are known for {year}: the chinesecalendar package has no data for it. "
                    "Enter the State Council's list under Statutory holidays in the admin, then run this again "
                    "to flag overlapping periods."
                )
            )
        self.stdout.write(
            f"{year}: {stats['created']} created, {stats['updated']} updated, "
            f"{stats['kept']} kept, {stats['deleted']} removed."
        )
