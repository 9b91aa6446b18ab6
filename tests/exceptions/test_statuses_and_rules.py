"""The seven statuses of the seed and the EUC reweighting rules (pure, no database)."""

from __future__ import annotations

import pytest

from exceptions.rules import effective_reweighting, reweighting_decision
from exceptions.statuses import EucStatus, categories_of, status_for, status_label

SEED_LABELS = [
    "Quality, PI and IA exception obtained",
    "Quality and PI reporting exception obtained",
    "Quality and IA reporting exception obtained",
    "IA and PI reporting exception obtained",
    "Quality reporting exception obtained",
    "PI reporting exception obtained",
    "IA reporting exception obtained",
]


def test_the_seven_statuses_are_the_seeds_in_its_order():
    assert [label for _, label in EucStatus.choices] == SEED_LABELS


@pytest.mark.parametrize(
    ("status", "categories"),
    [
        (EucStatus.QUALITY_PI_IA, {"quality", "pi", "ia"}),
        (EucStatus.QUALITY_PI, {"quality", "pi"}),
        (EucStatus.QUALITY_IA, {"quality", "ia"}),
        (EucStatus.IA_PI, {"ia", "pi"}),
        (EucStatus.QUALITY, {"quality"}),
        (EucStatus.PI, {"pi"}),
        (EucStatus.IA, {"ia"}),
        ("", set()),
    ],
)
def test_each_status_covers_its_categories(status, categories):
    assert categories_of(status) == categories
    assert status_for(categories) == status


def test_unknown_status_is_rejected():
    with pytest.raises(ValueError):
        categories_of("cost")
    with pytest.raises(ValueError):
        status_for({"cost"})
    assert status_label("") == "No exception"


ALL = {"quality", "pi", "ia"}


def test_recorded_exception_reweights_enrolled_categories():
    assert effective_reweighting({"quality", "pi"}, set(), ALL, set()) == {"quality", "pi"}


def test_category_not_enrolled_gets_no_reweighting():
    decision = reweighting_decision({"quality", "pi", "ia"}, set(), {"quality", "ia"}, set())
    assert decision.reweighted == {"quality", "ia"}
    assert "PI not reweighted: not enrolled in the category" in decision.notes


def test_cost_needs_no_enrollment_for_individuals_only():
    assert effective_reweighting(set(), {"cost"}, set(), set(), "individual") == {"cost"}
    assert effective_reweighting(set(), {"cost"}, set(), set(), "group") == set()
    assert effective_reweighting(set(), {"cost"}, {"cost"}, set(), "group") == {"cost"}


def test_two_submitted_categories_negate_the_recorded_exception():
    decision = reweighting_decision({"quality", "pi", "ia"}, set(), ALL, {"pi", "ia"})
    assert decision.negated
    assert decision.reweighted == set()
    assert decision.notes[0].startswith("Recorded exception negated")


def test_one_submitted_category_overrides_only_itself():
    assert effective_reweighting({"quality", "pi", "ia"}, set(), ALL, {"ia"}) == {
        "quality",
        "pi",
    }


def test_automatic_euc_survives_one_submission_but_not_two():
    auto = {"quality", "ia", "cost"}
    assert effective_reweighting(set(), auto, ALL, {"quality"}) == auto
    # Two categories with data: those are scored, the others stay reweighted.
    assert effective_reweighting(set(), auto, ALL, {"quality", "pi"}) == {"ia", "cost"}


def test_recorded_and_automatic_combine():
    decision = reweighting_decision({"pi"}, {"quality"}, ALL, set())
    assert decision.reweighted == {"quality", "pi"}
    assert "QUALITY reweighted to 0% (EUC, automatic)" in decision.notes
    assert "PI reweighted to 0% (EUC, recorded)" in decision.notes


def test_cost_submission_does_not_count_towards_negation():
    assert effective_reweighting({"quality"}, set(), ALL, {"cost", "pi"}) == {"quality"}


def test_unknown_category_names_are_errors():
    with pytest.raises(ValueError, match="recorded"):
        effective_reweighting({"cost"}, set(), ALL, set())
    with pytest.raises(ValueError, match="automatic"):
        effective_reweighting(set(), {"aci"}, ALL, set())
