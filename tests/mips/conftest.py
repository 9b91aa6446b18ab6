from __future__ import annotations

import pytest

from mips.ecqm.valuesets import ensure_loaded


@pytest.fixture
def valuesets(db):
    """Value-set tables for both years (the engine loads them lazily too)."""
    ensure_loaded(2025)
    ensure_loaded(2026)
