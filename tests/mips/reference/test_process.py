"""The supervised Node process: answers, restarts after a crash, kills a hung batch."""

from __future__ import annotations

import os
import stat

import pytest

from mips.ecqm.reference import content
from mips.ecqm.reference.process import EngineCrashed, EngineTimeout, ReferenceEngine


def _script(tmp_path, body: str) -> str:
    path = tmp_path / "fake-node"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_ping_and_empty_batch():
    engine = ReferenceEngine(batch_timeout=120)
    try:
        assert engine.ping()["ok"]
        assert engine.calculate("CMS131", 2025, []) == []
        assert "CMS131/2025" in engine.loaded
    finally:
        engine.stop()


def test_hung_batch_times_out_and_kills_the_process(settings, tmp_path):
    settings.ECQM_NODE = _script(tmp_path, "cat >/dev/null")  # reads, never answers
    engine = ReferenceEngine(batch_timeout=1)
    with pytest.raises(EngineTimeout):
        engine.ping(timeout=1)
    assert engine.proc is None  # killed; the next call starts a fresh process


def test_crash_is_retried_once_then_reported(settings, tmp_path):
    settings.ECQM_NODE = _script(tmp_path, "exit 3")
    engine = ReferenceEngine(batch_timeout=5)
    with pytest.raises(EngineCrashed):
        engine.calculate("CMS131", 2025, [])
    assert engine.restarts == 2


def test_content_is_complete_and_flags_truncated_valuesets():
    assert len(content.measures(2025)) == 41 and len(content.measures(2026)) == 43
    cut = {t["oid"] for t in content.meta("CMS157", 2026)["truncated_valuesets"]}
    assert "2.16.840.1.113883.3.526.3.1010" in cut  # Cancer: 1000 of 7563 codes
    assert content.meta("CMS157", 2025)["truncated_valuesets"] == []
    bundle = content.bundle("CMS143", 2025)
    assert bundle["entry"][0]["resource"]["resourceType"] == "Measure"
    assert os.path.getsize(content.CONTENT_DIR / "index.json") > 0
