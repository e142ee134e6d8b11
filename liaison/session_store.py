"""The session engine used when Redis is configured: Django's cached_db (sessions read from the
cache, written through to the database), made to fail closed when the cache is unreachable.

Django's cached_db deletes a session from the database first and from the cache second. If Redis
cannot be reached at that moment, the logout fails half-way: the database row is gone but the
cached copy survives, and once Redis answers again the old cookie would open the session again.
Here the cached copy goes first, so a failed logout leaves the session whole (the user sees an
error and can try again) and a completed one leaves nothing anywhere. Reads fall back to the
database while Redis is down, and the portal keeps working on the database alone.

The cached session is read together with the signed-in account it points to, in one round trip
(liaison.security.accounts.prefetch_plan; issue 10's floor): what was read is left on the store
as `prefetched` for the authentication middleware."""

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

from liaison.lib.redis_cache import PointerReadUnsupported
from liaison.security.accounts import SESSION_POINTER, prefetch_plan

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    prefetched = None
    # (read plan, ticket) of the read sent ahead, until load collects it.
    _ahead = None

    def _read_plan(self):
        # (pointer, keys, prefixes): the session with the account it points to (prefetch_plan).
        pointer, keys, prefixes = prefetch_plan(self.session_key)
        return pointer, [self.cache_key, *keys], prefixes

    def start_read(self):
        """Send the cached session's read now (SessionReadAheadMiddleware, at the start of the
        request): `load` collects the answer, and the middleware in between run meanwhile."""
        start = getattr(self._cache, "start_read_through_pointer", None)
        if start is None or not self.session_key or not settings.VERSIONED_CACHE or hasattr(self, "_session_cache"):
            return
        plan = self._read_plan()
        try:
            self._ahead = plan, start(*plan)
        except PointerReadUnsupported:
            pass
        except Exception:
            logger.exception("Error reading the session from the cache (%s)", self._cache)

    def _read_cached(self):
        read = getattr(self._cache, "read_through_pointer", None)
        if read is None or not settings.VERSIONED_CACHE:
            return self._cache.get(self.cache_key)
        ahead, self._ahead = self._ahead, None
        plan, ticket = ahead or (self._read_plan(), None)
        try:
            found = read(*plan, ticket)
        except PointerReadUnsupported:
            return self._cache.get(self.cache_key)
        self.prefetched = found
        return found[self.cache_key]

    def load(self):
        try:
            data = self._read_cached()
        except Exception:
            logger.exception("Error reading the session from the cache (%s)", self._cache)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.exception("Error saving the session to the cache (%s)", self._cache)
        return data

    def exists(self, session_key):
        # A new session's key is checked for collisions; with the cache unreachable the database
        # alone answers (every session is written through to it).
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.exception("Error reading the session from the cache (%s)", self._cache)
        return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # The cached copy first: if this raises, the database row is still there and the two agree.
        self._cache.delete_many([self.cache_key_prefix + session_key, SESSION_POINTER + session_key])
        DBStore.delete(self, session_key)
