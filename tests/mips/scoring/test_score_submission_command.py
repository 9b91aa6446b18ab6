from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURE = Path(__file__).parent / "fixtures" / "submission_individual_2025.json"


def _run(*args) -> dict:
    out = StringIO()
    call_command("score_submission", str(FIXTURE), *args, stdout=out)
    return json.loads(out.getvalue())


def test_prints_the_score_preview_shape():
    doc = _run()
    score = doc["data"]["score"]
    assert score["name"] == "total"
    assert {p["name"] for p in score["parts"]} >= {"quality", "pi", "ia"}
    meta = score["metadata"]
    for key in (
        "qualityCategoryScore",
        "piWeightedScore",
        "iaWeightedScore",
        "smallPracticeBonus",
        "paymentAdjustmentEstimate",
    ):
        assert key in meta


def test_small_practice_flag_raises_the_score():
    plain = _run()["data"]["score"]["value"]
    small = _run("--small-practice")["data"]["score"]["value"]
    assert small > plain


def test_reweighting_cost_moves_its_weight():
    meta = _run("--reweight", "cost")["data"]["score"]["metadata"]
    assert meta["costReweighted"] is True and meta["maxContributionCost"] == 0


def test_pi_reweighting_is_overridden_when_pi_data_was_submitted():
    meta = _run("--reweight", "pi")["data"]["score"]["metadata"]
    assert meta["piReweighted"] is False
    assert any("overridden" in m for m in meta["messages"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--special-status", "martian"], "unknown martian"),
        (["--reweight", "everything"], "unknown everything"),
    ],
)
def test_bad_flags_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("score_submission", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("score_submission", str(bad))
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    with pytest.raises(CommandError, match="Not a usable submission"):
        call_command("score_submission", str(empty))
