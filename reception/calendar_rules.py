"""Pure date arithmetic for reception periods and statutory holidays (no database writes here;
the services in reception/period_services.py store what these functions compute)."""

import datetime

from . import rules


def first_monday(year, month):
    day = datetime.date(year, month, 1)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def rule_slots(*, kind, year, length_days=rules.DEFAULT_PERIOD_LENGTH_DAYS, fixed_days=()):
    """[(key, start, end)] for one calendar year under a rule. `end` is inclusive."""
    length = datetime.timedelta(days=length_days - 1)
    slots = []
    if kind in ("odd_months", "monthly"):
        months = rules.ODD_MONTHS if kind == "odd_months" else range(1, 13)
        for month in months:
            start = first_monday(year, month)
            slots.append((f"{year}-{month:02d}", start, start + length))
    elif kind == "fixed_days":
        for month in range(1, 13):
            for day in fixed_days:
                start = datetime.date(year, month, day)
                slots.append((f"{year}-{month:02d}-{day:02d}", start, start + length))
    else:
        raise ValueError(f"unknown reception rule {kind!r}")
    return slots


def library_holidays(year):
    """{date: name} of the days off in `year` from the chinesecalendar package, or None when the
    package has no data for that year (its data follows the State Council's yearly notice)."""
    import chinese_calendar

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    try:
        chinese_calendar.is_holiday(start)
    except NotImplementedError:
        return None
    result = {}
    day = start
    while day <= end:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        # Weekends are "holidays" to the package too; only named festivals count here.
        if is_holiday and name:
            result[day] = str(name)
        day += datetime.timedelta(days=1)
    return result
