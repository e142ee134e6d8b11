"""Quiet hours [000 十一]: no SMS between 22:00 and 08:00 Asia/Shanghai."""

import datetime as dt

from django.utils import timezone

from liaison import rules


def in_quiet_hours(moment):
    hour = timezone.localtime(moment).hour
    start, end = rules.sms_quiet_hours()
    return hour >= start or hour < end if start > end else start <= hour < end


def outside_quiet_hours(moment):
    """`moment` itself when sending is allowed then, otherwise the end of that quiet night (08:00)."""
    if not in_quiet_hours(moment):
        return moment
    _start, end = rules.sms_quiet_hours()
    local = timezone.localtime(moment)
    day = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(end)))
