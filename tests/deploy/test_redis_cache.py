"""The shared cache's Redis backend builds one client per connection pool, not one per
call (p4p_portal.redis_cache); tests run on the memory cache, so it is checked here."""

from __future__ import annotations

from p4p_portal.redis_cache import RedisCache

SERVERS = "redis://127.0.0.1:6399/0,redis://127.0.0.1:6399/1"  # never connected to


def test_one_client_per_pool():
    client = RedisCache(SERVERS, {"OPTIONS": {"socket_connect_timeout": 1}})._cache
    writer = client.get_client(write=True)
    assert client.get_client(write=True) is writer  # the primary: built once
    assert writer.connection_pool is client._get_connection_pool(write=True)
    # Readers pick a replica at random: still one client per pool.
    readers = {id(client.get_client()) for _ in range(20)}
    assert len(readers) <= 2 and len(client._clients) <= 2
