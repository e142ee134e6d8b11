"""When an office is open to residents, as the public pages offer it for booking.

The structured source is the weekly opening of the office's published yearly work plan
[004 第十条] (half-day codes "3-pm" = Wednesday afternoon). A plan's opening stays in force until the
next year's plan is published, so early January still has open half-days. `Office.open_hours` is the
free text the office writes for residents; it is shown only when no plan fixes the opening.

A half-day is offered when the weekly opening has it, it is not a statutory holiday
(StatutoryHoliday) and it lies between BOOKING_MIN_DAYS_AHEAD and BOOKING_DAYS_AHEAD days from
today (the office needs a day to prepare; a month ahead is as far as a plan is reliable)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from reception.models import ReceptionPeriod, StatutoryHoliday, WorkPlan
from reception.models.work_plans import HALF_DAYS, OPENING_CHOICES, OPENING_CODES

HALF_DAY_LABELS = dict(HALF_DAYS)


def booking_window(today=None):
    """(first, last) day a resident may book."""
    today = today or timezone.localdate()
    first = today + datetime.timedelta(days=settings.PUBLIC_BOOKING_MIN_DAYS_AHEAD)
    last = today + datetime.timedelta(days=settings.PUBLIC_BOOKING_DAYS_AHEAD)
    return first, last


@dataclass(frozen=True)
class OpenHalfDay:
    date: datetime.date
    half: str  # "am" or "pm"
    reception: bool = False  # within the district's reception period: the deputies receive

    @property
    def value(self):
        return f"{self.date.isoformat()}-{self.half}"

    @property
    def label(self):
        text = f"{self.date:%Y-%m-%d} {WEEKDAYS[self.date.weekday()]} {HALF_DAY_LABELS[self.half]}"
        if self.reception:
            text += " · " + _("reception week")
        return text


def parse_half_day(value):
    """"2027-03-10-pm" → (date, "pm"), or None for anything else."""
    value = str(value or "")
    date_part, _sep, half = value.rpartition("-")
    if half not in HALF_DAY_LABELS:
        return None
    try:
        return datetime.date.fromisoformat(date_part), half
    except ValueError:
        return None


def _openings_by_year(office, last_year):
    """{year: set of codes} of the office's published plans up to `last_year`, one query."""
    rows = (
        WorkPlan.objects.filter(office=office, status=WorkPlan.Status.PUBLISHED, year__lte=last_year)
        .order_by("year")
        .values_list("year", "opening")
    )
    return {year: {c for c in (opening or []) if c in OPENING_CODES} for year, opening in rows}


def _opening_for(openings, year):
    """The plan of `year`, or the latest earlier one still in force."""
    earlier = [y for y in openings if y <= year]
    return openings[max(earlier)] if earlier else set()


def office_opening(office, *, today=None):
    """What the office page states once: the weekly half-days in force today (labels), the
    plan's notes, and the office's own text when no plan fixes the opening."""
    today = today or timezone.localdate()
    plan = (
        WorkPlan.objects.filter(office=office, status=WorkPlan.Status.PUBLISHED, year__lte=today.year)
        .order_by("-year")
        .values("opening", "opening_notes")
        .first()
    )
    codes = set(plan["opening"] or []) if plan else set()
    labels = [str(label) for code, label in OPENING_CHOICES if code in codes]
    return {
        "labels": labels,
        "notes": plan["opening_notes"] if plan else "",
        "text": "" if labels else office.open_hours,
    }


def office_open_half_days(office, *, today=None):
    """The half-days a resident may book at `office`, in order: three queries whatever the window."""
    first, last = booking_window(today)
    openings = _openings_by_year(office, last.year)
    if not any(openings.values()):
        return []
    holidays = set(StatutoryHoliday.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    periods = []
    if office.district_id:
        periods = list(
            ReceptionPeriod.objects.filter(district_id=office.district_id, start__lte=last, end__gte=first)
            .order_by()
            .values_list("start", "end")
        )
    slots = []
    day = first
    while day <= last:
        if day not in holidays:
            codes = _opening_for(openings, day.year)
            for half in HALF_DAY_LABELS:
                if f"{day.isoweekday()}-{half}" in codes:
                    reception = any(start <= day <= end for start, end in periods)
                    slots.append(OpenHalfDay(day, half, reception))
        day += datetime.timedelta(days=1)
    return slots


def open_half_day_refusal(office, *, date, half, today=None):
    """Why `office` cannot be booked for that half-day, or "" when it can. The service checks
    this whatever the form offered, so a forged or stale choice gets the same clear answer."""
    first, last = booking_window(today)
    when = f"{date:%Y-%m-%d} {WEEKDAYS[date.weekday()]} {HALF_DAY_LABELS.get(half, '')}".strip()
    if date < first:
        return _("%(when)s is too soon or has passed: book from %(first)s on.") % {
            "when": when, "first": f"{first:%Y-%m-%d}",
        }
    if date > last:
        return _("%(when)s is too far ahead: the office takes bookings until %(last)s.") % {
            "when": when, "last": f"{last:%Y-%m-%d}",
        }
    holiday = StatutoryHoliday.objects.filter(date=date).values_list("name", flat=True).first()
    if holiday is not None:
        return _("%(when)s is a public holiday (%(holiday)s); the office is closed.") % {"when": when, "holiday": holiday}
    codes = _opening_for(_openings_by_year(office, date.year), date.year)
    if f"{date.isoweekday()}-{half}" not in codes:
        return _("The office is not open on %(when)s. Pick one of the half-days listed.") % {"when": when}
    return ""


def reception_period_on(office, date):
    """The office's district's reception period containing `date`, or None."""
    if office.district_id is None or date is None:
        return None
    return ReceptionPeriod.objects.filter(district_id=office.district_id, start__lte=date, end__gte=date).first()
