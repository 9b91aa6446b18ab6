"""Pause CPython's cyclic garbage collector around a bulk job.

A job that builds hundreds of thousands of long-lived objects (an eCQM run's facts, a
recalculation's inputs and scores) sets off collection after collection, each one walking
every object still alive: measured, a third of the eCQM run and of the score
recalculation. Paused, objects are still freed by reference counting when let go; only
reference cycles wait, and the collector, on again afterwards, takes them at its next run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Usable as a decorator. Nested uses leave it paused until the outermost ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
