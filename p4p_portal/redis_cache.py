"""The shared Redis cache (settings.CACHES), with one redis client per connection pool.

Django's RedisCache builds a new redis.Redis client for every cache call, and building
one (its table of response callbacks) costs about twice the round trip of a GET (170 of
260 µs measured); every page makes a few calls (the session, the dashboard's visibility,
the pending scores). A client only wraps its connection pool and may be shared between
threads, so each pool's client is built once per process."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # (Two threads may both build one: the second simply replaces the first.)
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
