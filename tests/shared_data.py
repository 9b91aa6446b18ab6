"""Where the tests find public reference data: the shared research pack when present,
otherwise the copy vendored in tests/data (scripts/vendor_testdecks.py)."""

from __future__ import annotations

import os
import tarfile
import tempfile
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SHARED_ECQM = Path(__file__).resolve().parents[2] / "shared" / "domain" / "ecqm"


@cache
def ecqm_testdecks() -> Path:
    configured = os.environ.get("ECQM_TESTDECKS")
    if configured:
        return Path(configured)
    if (SHARED_ECQM / "testdecks").is_dir():
        return SHARED_ECQM / "testdecks"
    target = Path(tempfile.mkdtemp(prefix="p4p-testdecks-"))
    with tarfile.open(DATA / "ecqm_testdecks.tar.xz") as tar:
        tar.extractall(target, filter="data")
    return target / "testdecks"


SHARED_ALL_MEASURES = SHARED_ECQM / "all-measures" / "testdecks"


@cache
def all_measures_decks() -> Path:
    """Test decks of the reference-engine measures: the shared pack when present (full
    decks), otherwise the sample vendored in tests/data (scripts/vendor_reference_sample.py)."""
    configured = os.environ.get("ECQM_ALL_MEASURES_DECKS")
    if configured:
        return Path(configured)
    if SHARED_ALL_MEASURES.is_dir():
        return SHARED_ALL_MEASURES
    return vendored_all_measures_sample()


@cache
def vendored_all_measures_sample() -> Path:
    target = Path(tempfile.mkdtemp(prefix="p4p-all-measures-"))
    with tarfile.open(DATA / "ecqm_all_measures_sample.tar.xz") as tar:
        tar.extractall(target, filter="data")
    return target / "testdecks"
