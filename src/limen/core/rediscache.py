"""Django's Redis cache, with one redis-py client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the (kept) pool for every
cache call: 0.13 ms of CPU per ``cache.get`` against 0.03 ms with a kept client, on every rate-limit
check of every sign-in and token request (measured with py-spy on a worker opening waits; see
bench/README.md). The client holds no connection of its own (the pool does), so keeping it changes
nothing else: same pools, same timeouts, same errors.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClients
