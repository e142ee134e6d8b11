"""A small fixed-window rate limiter on Django's cache.

Public pages (the online office, case tracking) have no login, so abuse is held back per client IP
and per phone number. Counters live in the default cache: per-process memory in the demo, Redis in
production, where `incr` is atomic across workers. Identifiers are hashed before they become cache
keys, so no phone number sits in the cache in clear.

    result = rate_hit(scope="track_ip", ident=ip, rate="20/h")
    if not result.allowed: ... result.retry_after seconds ...
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class RateResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the current window ends


def parse_rate(rate):
    """'5/h' → (5, 3600); '30/10m' → (30, 600)."""
    count, _slash, per = str(rate).partition("/")
    per = per.strip() or "h"
    multiplier = int(per[:-1]) if len(per) > 1 else 1
    return int(count), multiplier * _UNITS[per[-1]]


def _key(scope, ident, window):
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{ident}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window}"


def configured_rate(scope, default):
    """Deployments may override any scope's rate in settings.RATE_LIMITS = {scope: "n/period"}."""
    return getattr(settings, "RATE_LIMITS", {}).get(scope, default)


def rate_hit(*, scope, ident, rate, now=None):
    """Count one attempt and say whether it is still within the limit."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    key = _key(scope, ident or "-", window)
    # add() is a no-op when the key exists, so two first hits cannot reset each other's count.
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=period + 1)
        count = 1
    retry_after = max(1, int((window + 1) * period - now))
    return RateResult(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def rate_peek(*, scope, ident, rate, now=None):
    """Whether the limit is already reached, without counting an attempt."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    count = cache.get(_key(scope, ident or "-", window), 0)
    retry_after = max(1, int((window + 1) * period - now))
    return RateResult(allowed=count < limit, count=count, limit=limit, retry_after=retry_after)
