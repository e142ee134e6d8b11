"""Version numbers in Django's cache (Redis in production) for caching a read model exactly.

A reader stores its result with the versions of everything the result depends on and uses it
only while those are still the current versions (`cached_result`); a writer bumps the version of
what it changed (`version_bump`), in its transaction and again when that commits. The bump inside the transaction makes the writer's own
later reads (and a test's) see the change; the bump after commit retires any result that a
concurrent reader computed from the data as it was before the commit and stored under the version
of the first bump. A cached result is therefore never read once the change it misses is committed.

A version missing from the cache (evicted, Redis flushed) restarts from the clock in nanoseconds,
never from a number an earlier result may still be stored under. With the cache unreachable the
readers compute without it (`cached_result`); a bump that cannot reach the cache is logged, and the
results carry a timeout (`MAX_AGE`) so that such a lost bump heals on its own.

Only a cache that every process shares can be exact: settings.VERSIONED_CACHE is on with Redis
(REDIS_URL) and off with the per-process local-memory cache, where results are always computed.
The test suite turns it on (one process).
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# The longest a cached result may live: the bound on staleness if a bump was lost to a cache outage.
MAX_AGE = 600

def _key(name):
    return f"version:{name}"


# The public names of the keys, for a reader that fetches them ahead of `cached_result`
# (`prefetched`): the version of `name`, and the prefix of a result cached under a plain `key`.
version_key = _key
RESULT_PREFIX = "versioned:"


def versions(*names):
    """{name: current version} in one cache round trip, starting missing ones from the clock."""
    keys = {_key(n): n for n in names}
    found = cache.get_many(list(keys))
    out = {}
    for key, name in keys.items():
        value = found.get(key)
        if value is None:
            cache.add(key, time.time_ns(), timeout=None)
            value = cache.get(key)
        out[name] = value
    return out


def _bump(name):
    try:
        try:
            cache.incr(_key(name))
        except ValueError:  # not in the cache: restart from the clock
            cache.set(_key(name), time.time_ns(), timeout=None)
    except Exception:
        logger.exception("Could not bump the cache version %s; cached results heal within %s s", name, MAX_AGE)


def version_bump(*names):
    """Retire every result cached under the current versions of `names`: now, and once more when
    the surrounding transaction commits (see the module docstring)."""
    for name in names:
        _bump(name)
    transaction.on_commit(lambda: [_bump(name) for name in names])


# Every cached result also depends on this one: bumping it (`retire_all`) retires them all, for
# writes that bypass the services (a bulk load, a data migration) and for tests, whose rolled-back
# data must not leave results behind for the next test.
EVERYTHING = "everything"


def retire_all():
    _bump(EVERYTHING)


def result_keys(*, names, key):
    """The cache keys `cached_result(names=..., key=...)` reads, for a caller that fetches them
    ahead (`prefetched`)."""
    return [RESULT_PREFIX + key, *map(_key, (EVERYTHING, *names))]


def cached_result(*, names, compute, parts=None, key=None, timeout=MAX_AGE, prefetched=None):
    """`compute()`'s result, cached for the `parts` that identify the question (SQL text and
    parameters, say), or under the plain `key` given instead, together with the versions of
    `names` it was computed under, for at most `timeout` seconds; it is used only while those are
    still the current versions. One cache round trip when it is (the versions and the result are
    read together), none when the caller fetched those keys already (`prefetched`: {key: value or
    None} covering `result_keys`). Falls back to `compute()` whenever the cache cannot be reached."""
    if not settings.VERSIONED_CACHE:
        return compute()
    wanted = result_keys(
        names=names, key=key if key is not None else hashlib.sha256(repr(parts).encode()).hexdigest()
    )
    key, names = wanted[0], (EVERYTHING, *names)
    if prefetched is not None and all(k in prefetched for k in wanted):
        found = prefetched
    else:
        try:
            found = cache.get_many(wanted)
        except Exception:
            logger.exception("Cache unreachable; computing without it")
            return compute()
    current = tuple(found.get(_key(n)) for n in names)
    stored = found.get(key)
    if stored is not None and None not in current and stored[0] == current:
        return stored[1]
    try:
        if None in current:
            current = tuple(versions(*names)[n] for n in names)
    except Exception:
        logger.exception("Cache unreachable; computing without it")
        return compute()
    # Computed after reading the versions: a write that commits meanwhile bumps them past
    # `current`, so this result is never used once the change it may miss is committed.
    value = compute()
    try:
        cache.set(key, (current, value), timeout=timeout)
    except Exception:
        logger.exception("Could not store a cached result")
    return value
