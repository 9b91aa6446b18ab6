"""The shared cache for values kept under a key that names the version of what they were
made from (a dashboard build, an entity's score history): such a key's value never
changes, so each process also keeps the values it has read or written in memory and asks
the shared cache for them once, not on every page (a Redis round trip, ~0.2 ms). The
entries are still dropped after the shared cache's timeout, and the oldest-read first
beyond MAX_ENTRIES.

Only for keys that change with their value: anything else written under the same key is
not seen by a process that has kept it."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.core.cache import cache

MAX_ENTRIES = 256

_lock = threading.Lock()
_kept: OrderedDict[str, tuple[float, object]] = OrderedDict()  # key -> (until, value)


def get(key: str, timeout: int):
    """The value of `key` (None: in neither cache); `timeout`: what it is set with, so a
    value read from the shared cache is kept no longer than it."""
    with _lock:
        found = _kept.get(key)
        if found is not None:
            if found[0] > time.monotonic():
                _kept.move_to_end(key)
                return found[1]
            del _kept[key]
    value = cache.get(key)
    if value is not None:
        _keep(key, value, timeout)
    return value


def set(key: str, value, timeout: int) -> None:  # noqa: A001 (the cache API's name)
    cache.set(key, value, timeout)
    _keep(key, value, timeout)


def forget_all() -> None:
    """This process's copies (tests that replace what a version stands for)."""
    with _lock:
        _kept.clear()


def _keep(key: str, value, timeout: int) -> None:
    with _lock:
        _kept[key] = (time.monotonic() + timeout, value)
        _kept.move_to_end(key)
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)
