"""A small fixed-window rate limiter on Django's cache.

Public pages (the online office, case tracking) have no login, so abuse is held back per client IP
and per phone number. Counters live in the default cache: per-process memory in the demo, Redis in
production, where `incr` is atomic across workers. Identifiers are hashed before they become cache
keys, so no phone number sits in the cache in clear.

    result = rate_hit(scope="track_ip", ident=ip, rate="20/h")
    if not result.allowed: ... result.retry_after seconds ...

Views use `rate_refusal`, which also turns a cache that cannot be reached into a refusal: the
limiter fails closed (503 with a message; the view re-renders the form with what was typed), never
open, because an outage must not be a window for unlimited guessing.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimitUnavailable(Exception):
    """The counters cannot be read or written (Redis down, timed out, refused the connection)."""


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
    return settings.RATE_LIMITS.get(scope, default)


def rate_hit(*, scope, ident, rate, now=None):
    """Count one attempt and say whether it is still within the limit."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    key = _key(scope, ident or "-", window)
    try:
        # add() is a no-op when the key exists, so two first hits cannot reset each other's count.
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=period + 1)
            count = 1
    except Exception as exc:
        # Any backend failure (redis.exceptions.ConnectionError is not an OSError) is reported the
        # same way: the caller refuses the request instead of letting it through uncounted.
        logger.error("Rate limiter unavailable for scope %s: %s", scope, exc, exc_info=True)
        raise RateLimitUnavailable(scope) from exc
    retry_after = max(1, int((window + 1) * period - now))
    return RateResult(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def rate_peek(*, scope, ident, rate, now=None):
    """Whether the limit is already reached, without counting an attempt."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    try:
        count = cache.get(_key(scope, ident or "-", window), 0)
    except Exception as exc:
        logger.error("Rate limiter unavailable for scope %s: %s", scope, exc, exc_info=True)
        raise RateLimitUnavailable(scope) from exc
    retry_after = max(1, int((window + 1) * period - now))
    return RateResult(allowed=count < limit, count=count, limit=limit, retry_after=retry_after)


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int  # 429 over the limit; 503 when the counters cannot be reached


def rate_refusal(*, scope, ident, default):
    """Count one attempt at `scope` for `ident`; None when allowed, else a Refusal whose message
    the view shows above the form it re-renders (so nothing typed is lost)."""
    try:
        result = rate_hit(scope=scope, ident=ident, rate=configured_rate(scope, default))
    except RateLimitUnavailable:
        return Refusal(
            _(
                "The service is temporarily unavailable, so nothing was sent. What you typed is kept "
                "below: please try again in a few minutes."
            ),
            503,
        )
    if result.allowed:
        return None
    minutes = max(1, (result.retry_after + 59) // 60)
    return Refusal(_("Too many attempts. Please try again in about %(minutes)s minutes.") % {"minutes": minutes}, 429)
