from __future__ import annotations

from pathlib import Path

import pytest

from mips.qrda import validation

SAMPLES = Path(validation.base_dir()) / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared QRDA samples not available")
    return SAMPLES
