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

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError, NoScriptError, TimeoutError

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


class PointerReadUnsupported(Exception):
    """The cache's key function does not build a key by appending to its prefix's key."""


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def read_through_pointer(self, keys, prefixes):
        """Values of `keys` (the first holds an id) and of each prefix + that id (None without
        one), in one round trip: EVALSHA sent on a connection of the pool, without redis-py's
        command layer (retries, instrumentation: a quarter of the hello-world's Redis time). A
        connection error drops the connection and raises, as redis-py does; a server that lost the
        script (restarted, SCRIPT FLUSH) gets it with EVAL."""
        pool = self._get_connection_pool(False)
        connection = pool.get_connection()
        try:
            try:
                connection.send_command("EVALSHA", _READ_THROUGH_POINTER_SHA, len(keys), *keys, *prefixes)
                values = connection.read_response()
            except NoScriptError:
                connection.send_command("EVAL", _READ_THROUGH_POINTER, len(keys), *keys, *prefixes)
                values = connection.read_response()
        except (ConnectionError, TimeoutError):
            connection.disconnect()
            raise
        finally:
            pool.release(connection)
        return [None if v is None else self._serializer.loads(v) for v in values]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def read_through_pointer(self, pointer, keys, prefixes):
        """{key: value or None} for `pointer` (a key holding an integer id), each of `keys`, and
        prefix + id for each of `prefixes` when the pointer is set: in one round trip, a Lua
        script run by Redis (the session, then the account it points to: issue 10's floor). The
        prefixed keys are not declared to Redis, which a Redis Cluster would refuse; the portal
        uses one server."""
        # make_key without the memcached key checks: these keys are the caller's fixed prefixes
        # and a session key that Django has validated.
        made = [self.make_key(k) for k in (pointer, *keys)]
        made_prefixes = []
        for prefix in prefixes:
            made_prefix = self.make_key(prefix)
            if self.make_key(prefix + "0") != made_prefix + "0":
                raise PointerReadUnsupported(self.key_func)
            made_prefixes.append(made_prefix)
        values = self._cache.read_through_pointer(made, made_prefixes)
        found = dict(zip((pointer, *keys), values[: len(made)], strict=True))
        pointed = found[pointer]
        if pointed is not None:
            found.update((f"{prefix}{pointed}", value) for prefix, value in zip(prefixes, values[len(made):], strict=True))
        return found
