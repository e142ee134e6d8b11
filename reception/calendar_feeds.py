"""iCalendar feeds of reception periods and activities (SPEC §6), one per deputy and one per
office, read by calendar apps through a secret-token URL (calendar_views.py).

Reception periods are all-day events over their whole span; an activity is its half-day slot in
Asia/Shanghai time, placed at the activity's place or else the office's address."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Activity, ActivityParticipant, ReceptionPeriod

# Clock times of the half-day slots (morning, afternoon) as offices keep them.
SLOT_TIMES = {
    Activity.Slot.MORNING: (dt.time(9, 0), dt.time(12, 0)),
    Activity.Slot.AFTERNOON: (dt.time(14, 30), dt.time(17, 30)),
}
# What a feed covers: the recent past (so last month's events do not vanish) and the year ahead.
PAST = dt.timedelta(days=92)
AHEAD = dt.timedelta(days=400)
UID_DOMAIN = "liaison-portal"


def _calendar(name):
    cal = Calendar()
    cal.add("prodid", "-//Deputy liaison office portal//CN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _period_event(period, stamp):
    event = Event()
    event.add("uid", f"reception-period-{period.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", period.start)
    event.add("dtend", period.end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
    event.add("summary", _("Reception period (%(district)s)") % {"district": period.district.name})
    description = _("Spend at least half a day at your fixed community within this period.")
    if period.overlaps_holiday:
        description += "\n" + _("Overlaps a statutory holiday: %(names)s") % {"names": period.holiday_names}
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def _activity_event(activity, stamp, tz):
    start, end = SLOT_TIMES[activity.slot]
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", dt.datetime.combine(activity.date, start, tzinfo=tz))
    event.add("dtend", dt.datetime.combine(activity.date, end, tzinfo=tz))
    event.add("summary", f"{activity.get_kind_display()}：{activity.title}")
    event.add("location", activity.place or activity.office.address or activity.office.name)
    event.add("description", f"{activity.office.name} · {activity.get_slot_display()}")
    status = {Activity.Status.CANCELLED: "CANCELLED", Activity.Status.PLANNED: "TENTATIVE"}.get(activity.status, "CONFIRMED")
    event.add("status", status)
    return event


def _build(name, periods, activities):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now()
    cal = _calendar(name)
    for period in periods:
        cal.add_component(_period_event(period, stamp))
    for activity in activities:
        cal.add_component(_activity_event(activity, stamp, tz))
    cal.add_missing_timezones()
    return cal.to_ical()


def _window():
    today = timezone.localdate()
    return today - PAST, today + AHEAD


def deputy_feed(deputy):
    """The deputy's district's reception periods and the activities the deputy takes part in."""
    first, last = _window()
    periods = ReceptionPeriod.objects.filter(district_id=deputy.district_id, end__gte=first, start__lte=last).select_related(
        "district"
    )
    activity_ids = ActivityParticipant.objects.filter(deputy=deputy).values("activity_id")
    activities = (
        Activity.objects.filter(pk__in=activity_ids, date__range=(first, last))
        .select_related("office")
        .order_by("date", "slot")
    )
    return _build(_("Reception and activities: %(name)s") % {"name": deputy.name}, periods, activities)


def office_feed(office):
    """The office's district's reception periods and the office's activities."""
    first, last = _window()
    periods = (
        ReceptionPeriod.objects.filter(district_id=office.district_id, end__gte=first, start__lte=last).select_related(
            "district"
        )
        if office.district_id
        else ReceptionPeriod.objects.none()
    )
    activities = (
        Activity.objects.filter(office=office, date__range=(first, last)).select_related("office").order_by("date", "slot")
    )
    return _build(_("Reception and activities: %(name)s") % {"name": office.name}, periods, activities)
