"""Reception rules, statutory holidays and reception periods: laying the periods out from each
district's rule, moving one (and telling the deputies already reminded), flagging holidays."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.permissions import actor_require, scope_to_staff
from liaison.lib.sms import sms_build
from liaison.models import SmsMessage
from liaison.services import notices_send
from offices.models import Deputy, Jurisdiction

from . import rules
from .attendance_version import attendance_changed
from .calendar_rules import library_holidays, rule_slots
from .models import ReceptionPeriod, ReceptionRule, StatutoryHoliday
from .reminder_services import _reminder_params

# --- Reception periods ----------------------------------------------------------------------------


def reception_rule_for(district):
    """The district's own rule, else the city's, else the default of [000 四]."""
    rule = ReceptionRule.objects.filter(jurisdiction=district).first()
    if rule is None and district.parent_id:
        rule = ReceptionRule.objects.filter(jurisdiction_id=district.parent_id).first()
    return rule or ReceptionRule(kind=rules.DEFAULT_RULE_KIND, length_days=rules.DEFAULT_PERIOD_LENGTH_DAYS)


def holidays_sync(*, year):
    """Copy the chinesecalendar package's days off for `year` into the holiday table, leaving
    staff-entered rows alone. Returns the number of days stored, or None when the package has no
    data for the year (then staff enter the State Council's list in the admin)."""
    days = library_holidays(year)
    if days is None:
        return None
    staff_days = set(
        StatutoryHoliday.objects.filter(date__year=year, source=StatutoryHoliday.Source.STAFF).values_list(
            "date", flat=True
        )
    )
    StatutoryHoliday.objects.filter(date__year=year, source=StatutoryHoliday.Source.LIBRARY).delete()
    StatutoryHoliday.objects.bulk_create(
        [
            StatutoryHoliday(date=d, name=name, source=StatutoryHoliday.Source.LIBRARY)
            for d, name in sorted(days.items())
            if d not in staff_days
        ]
    )
    return len(days)


def _holiday_index(start, end):
    return dict(StatutoryHoliday.objects.filter(date__range=(start, end)).values_list("date", "name"))


def _holiday_flag(period, holidays):
    names = []
    for day, name in sorted(holidays.items()):
        if period.start <= day <= period.end and name not in names:
            names.append(name)
    return bool(names), "、".join(names)[:200]


def reception_periods_generate_ahead(*, today=None):
    """Keep a year of reception periods laid out ahead [SPEC §2]: this year's and, once the year
    is under way, next year's, from each district's rule. Staff edits are kept (see below)."""
    today = today or timezone.localdate()
    years = sorted({today.year, (today + rules.PERIODS_AHEAD).year})
    return {year: reception_periods_generate(year=year) for year in years}


@transaction.atomic
def reception_periods_generate(*, year, districts=None):
    """Lay out `year`'s reception periods for every district (or the given ones) from their rules.

    Rows staff have edited are never touched (only their holiday flag is refreshed); unedited rows
    follow the rule; slots the rule no longer produces are removed if unedited and nothing was
    recorded against them. Idempotent: running it twice changes nothing the second time.
    Returns {"created": n, "updated": n, "kept": n, "deleted": n}.
    """
    if districts is None:
        districts = Jurisdiction.objects.filter(
            level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
        )
    districts = list(districts)
    # None means the package has no data for the year: staff's entries in the table are used.
    holidays_sync(year=year)
    holidays = _holiday_index(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 31))
    stats = {"created": 0, "updated": 0, "kept": 0, "deleted": 0}
    existing = {}
    for period in ReceptionPeriod.objects.select_for_update().filter(
        district__in=districts, key__startswith=f"{year}-"
    ):
        existing[(period.district_id, period.key)] = period
    to_create, to_update = [], []
    for district in districts:
        rule = reception_rule_for(district)
        fixed = rule.fixed_day_list() if rule.kind == rule.Kind.FIXED_DAYS else ()
        wanted = rule_slots(kind=rule.kind, year=year, length_days=rule.length_days, fixed_days=fixed)
        wanted_keys = set()
        for key, start, end in wanted:
            wanted_keys.add(key)
            period = existing.get((district.pk, key))
            if period is None:
                period = ReceptionPeriod(district=district, key=key, start=start, end=end)
                period.overlaps_holiday, period.holiday_names = _holiday_flag(period, holidays)
                to_create.append(period)
                continue
            if not period.edited_by_staff and (period.start, period.end) != (start, end):
                period.start, period.end = start, end
                stats["updated"] += 1
            else:
                stats["kept"] += 1
            period.overlaps_holiday, period.holiday_names = _holiday_flag(period, holidays)
            to_update.append(period)
        stale = [
            p.pk
            for (district_id, key), p in existing.items()
            if district_id == district.pk and key not in wanted_keys and not p.edited_by_staff
        ]
        if stale:
            # Only future slots go: a past period may carry attendance and escalations.
            removable = ReceptionPeriod.objects.filter(pk__in=stale, start__gt=timezone.localdate())
            stats["deleted"] += removable.count()
            removable.delete()
    ReceptionPeriod.objects.bulk_create(to_create)
    # bulk_create sends no signal: a new district in a slot changes that slot's sheet.
    attendance_changed(*(p.key for p in to_create))
    ReceptionPeriod.objects.bulk_update(to_update, ["start", "end", "overlaps_holiday", "holiday_names"])
    stats["created"] = len(to_create)
    return stats


@transaction.atomic
def reception_period_move(*, period, start, end, actor, note="", now=None):
    """Staff move a period (e.g. around a holiday). The row is marked edited so that regeneration
    keeps it as staff left it. Deputies already reminded of the old dates are told the new ones
    (one SMS and one notice each per move, in the same transaction); the returned period's
    `deputies_told` says how many."""
    actor_require(
        scope_to_staff(ReceptionPeriod.objects.filter(pk=period.pk), actor).exists(),
        _("The organization department of the period's district moves it."),
    )
    if end < start:
        raise ValidationError(_("The last day cannot be before the first day."), code="end_before_start")
    if (end - start).days > rules.MAX_PERIOD_LENGTH_DAYS:
        raise ValidationError(_("A reception period lasts at most 31 days."), code="too_long")
    period = ReceptionPeriod.objects.select_for_update().get(pk=period.pk)
    old_start, old_end = period.start, period.end
    period.start, period.end = start, end
    if note:
        period.note = note
    holidays = _holiday_index(start - datetime.timedelta(days=1), end)
    period.overlaps_holiday, period.holiday_names = _holiday_flag(period, holidays)
    period.edited_by_staff = True
    period.edited_by = actor
    period.edited_at = timezone.now()
    period.save(
        update_fields=[
            "start", "end", "note", "overlaps_holiday", "holiday_names", "edited_by_staff", "edited_by", "edited_at"
        ]
    )
    period.deputies_told = 0
    if (old_start, old_end) != (start, end):
        period.deputies_told = _reminded_deputies_tell_move(period=period, old_start=old_start, old_end=old_end,
                                                            now=now or timezone.now())
    return period


def _reminded_deputies_tell_move(*, period, old_start, old_end, now):
    """The deputies who got this period's reminder learn its new dates: an SMS (template
    reception_period_moved, quiet hours respected) and an in-portal notice each. Deputies not yet
    reminded need nothing: the daily reminder will carry the new dates."""
    deputies = list(
        Deputy.objects.filter(reminders__period=period).only("pk", "name", "mobile", "user_id", "district_id").order_by("pk")
    )
    if not deputies:
        return 0
    SmsMessage.objects.bulk_create(
        [
            sms_build(
                phone=d.mobile, template="reception_period_moved", now=now, district=d.district_id,
                params={**_reminder_params(deputy=d, period=period),
                        "old_start": f"{old_start.month}月{old_start.day}日", "old_end": f"{old_end.month}月{old_end.day}日"},
            )
            for d in deputies if d.mobile
        ]
    )
    notices_send(
        users=[d.user_id for d in deputies if d.user_id],
        text=_("The reception period from %(old_start)s to %(old_end)s has been moved: it now runs from %(start)s "
               "to %(end)s.")
        % {"old_start": f"{old_start:%Y-%m-%d}", "old_end": f"{old_end:%Y-%m-%d}", "start": f"{period.start:%Y-%m-%d}",
           "end": f"{period.end:%Y-%m-%d}"},
        url=reverse("home"),
    )
    return len(deputies)


def holidays_refresh_flags(*, start, end):
    """Recompute the holiday flag of the periods touching [start, end] after staff edit the
    holiday table."""
    periods = list(ReceptionPeriod.objects.filter(start__lte=end, end__gte=start))
    if not periods:
        return 0
    holidays = _holiday_index(min(p.start for p in periods), max(p.end for p in periods))
    for p in periods:
        p.overlaps_holiday, p.holiday_names = _holiday_flag(p, holidays)
    ReceptionPeriod.objects.bulk_update(periods, ["overlaps_holiday", "holiday_names"])
    return len(periods)


# --- Roster import ----------------------------------------------------------------------------------
