"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache operation; building
one copies redis-py's table of response callbacks (about 170 entries), which cost more than the
round trip itself on a signed-in request (the session and the account: issue 10's floor). The
client is a thin, thread-safe wrapper over its connection pool, so it is built once per pool and
reused; connections, timeouts and everything else are the pool's, as before.

`read_through_pointer` reads a key holding an id and the keys named after that id in one round
trip: the session and the signed-in account it belongs to (liaison/session_store.py).
"""

import hashlib
import os
import pickle
import threading

from django.core.cache.backends import redis as django_redis
from redis.exceptions import NoScriptError, ResponseError

# KEYS[1] holds an id (a pointer); the other KEYS are read as they are, and each ARGV is a key
# prefix read with the pointer's id appended. One round trip for reads that depend on each other.
_READ_THROUGH_POINTER = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('GET', KEYS[i]) end
local id = out[1]
for j = 1, #ARGV do
  if id then out[#KEYS + j] = redis.call('GET', ARGV[j] .. id) else out[#KEYS + j] = false end
end
return out
"""


_READ_THROUGH_POINTER_SHA = hashlib.sha1(_READ_THROUGH_POINTER.encode()).hexdigest()


def _send_read(connection, keys, prefixes, *, by_hash=True):
    """The read's command: the script by its hash, or in full for a server that lost it."""
    if by_hash:
        connection.send_command("EVALSHA", _READ_THROUGH_POINTER_SHA, len(keys), *keys, *prefixes)
    else:
        connection.send_command("EVAL", _READ_THROUGH_POINTER, len(keys), *keys, *prefixes)


class PointerReadUnsupported(Exception):
    """The cache's key function does not build a key by appending to its prefix's key."""


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._own = threading.local()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _own_connection(self):
        """This thread's own connection for `read_through_pointer`, made with the read pool's
        settings (server, database, password, timeouts, TLS) but outside the pool: the pool's
        checkout and return (a lock, a poll of the socket for stray data, connection-count
        bookkeeping) cost a fifth of that read, on every signed-in request. A new one after a fork
        (the parent's socket is not this process's to use) and after any failure (below)."""
        own = self._own
        connection = getattr(own, "connection", None)
        if connection is None or own.pid != os.getpid():
            pool = self._get_connection_pool(False)
            connection = own.connection = pool.connection_class(**pool.connection_kwargs)
            own.pid = os.getpid()
            own.pending = None
        return connection

    def _drop(self, connection):
        connection.disconnect()
        self._own.connection = self._own.pending = None

    def _discard_pending(self, connection):
        # An answer sent for and never collected (its request ended first): read and dropped.
        if self._own.pending is not None:
            self._own.pending = None
            try:
                connection.read_response()
            except ResponseError:
                pass

    def start_read_through_pointer(self, keys, prefixes):
        """Send `read_through_pointer`'s command now and return a ticket: the read with that
        ticket collects the answer, and the request does its other work while Redis answers."""
        connection = self._own_connection()
        try:
            self._discard_pending(connection)
            _send_read(connection, keys, prefixes)
        except BaseException:
            self._drop(connection)
            raise
        ticket = self._own.pending = object()
        return ticket

    def read_through_pointer(self, keys, prefixes, ticket=None):
        """Values of `keys` (the first holds an id) and of each prefix + that id (None without
        one), in one round trip: EVALSHA sent on this thread's own connection, without redis-py's
        command layer (retries, instrumentation: a quarter of the hello-world's Redis time), or
        already sent by `start_read_through_pointer` when `ticket` is its ticket. A server that
        lost the script (restarted, SCRIPT FLUSH) gets it with EVAL.

        Any failure between sending and reading the whole answer (a timeout, a connection error, a
        worker timeout's signal) drops the connection: an answer left unread on it would otherwise
        be taken for the next request's session. Only complete answers leave it open."""
        connection = self._own_connection()
        try:
            sent = ticket is not None and self._own.pending is ticket
            if sent:
                self._own.pending = None
            else:
                self._discard_pending(connection)
            try:
                if not sent:
                    _send_read(connection, keys, prefixes)
                values = connection.read_response()
            except NoScriptError:
                _send_read(connection, keys, prefixes, by_hash=False)
                values = connection.read_response()
        except BaseException:
            self._drop(connection)
            raise
        loads = self._serializer.loads
        if type(self._serializer) is not django_redis.RedisSerializer:
            return [None if v is None else loads(v) for v in values]
        # Django's serializer tries int() first and unpickles on the ValueError; a pickle of
        # protocol 2 or later opens with the PROTO opcode, which no integer's digits do.
        return [None if v is None else pickle.loads(v) if v[:1] == b"\x80" else loads(v) for v in values]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._made_prefixes = {}

    def _made(self, pointer, keys, prefixes):
        # make_key without the memcached key checks: these keys are the caller's fixed prefixes
        # and a session key that Django has validated.
        made = [self.make_key(k) for k in (pointer, *keys)]
        prefixes = tuple(prefixes)
        made_prefixes = self._made_prefixes.get(prefixes)
        if made_prefixes is None:
            made_prefixes = []
            for prefix in prefixes:
                made_prefix = self.make_key(prefix)
                if self.make_key(prefix + "0") != made_prefix + "0":
                    raise PointerReadUnsupported(self.key_func)
                made_prefixes.append(made_prefix)
            # The key function, prefix and version are this cache's for its lifetime.
            self._made_prefixes[prefixes] = made_prefixes
        return made, made_prefixes

    def start_read_through_pointer(self, pointer, keys, prefixes):
        """Send `read_through_pointer(pointer, keys, prefixes)` now; returns the ticket to pass it
        (the connection's ticket, with the keys as made here)."""
        made = self._made(pointer, keys, prefixes)
        return self._cache.start_read_through_pointer(*made), made

    def read_through_pointer(self, pointer, keys, prefixes, ticket=None):
        """{key: value or None} for `pointer` (a key holding an integer id), each of `keys`, and
        prefix + id for each of `prefixes` when the pointer is set: in one round trip, a Lua
        script run by Redis (the session, then the account it points to: issue 10's floor). The
        prefixed keys are not declared to Redis, which a Redis Cluster would refuse; the portal
        uses one server."""
        if ticket is None:
            made, made_prefixes = self._made(pointer, keys, prefixes)
        else:
            ticket, (made, made_prefixes) = ticket
        values = self._cache.read_through_pointer(made, made_prefixes, ticket)
        found = dict(zip((pointer, *keys), values[: len(made)], strict=True))
        pointed = found[pointer]
        if pointed is not None:
            found.update((f"{prefix}{pointed}", value) for prefix, value in zip(prefixes, values[len(made):], strict=True))
        return found
