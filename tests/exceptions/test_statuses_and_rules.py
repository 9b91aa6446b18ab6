"""The seven statuses of the seed and the EUC reweighting rules (pure, no database)."""

from __future__ import annotations

import pytest

from exceptions.rules import effective_reweighting, reweighting_decision, voiding_warnings
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


# Issue 14 / CMS: an approved application EUC is decided per category (data for that category
# overrides it; data in other categories does not); the two-category rule belongs to CMS's
# automatic EUC policy (assumptions.AUTOMATIC_EUC_VOIDED_BY_CATEGORIES names it unconfirmed).
@pytest.mark.parametrize(
    ("recorded", "automatic", "submitted", "reweighted"),
    [
        # application: Quality + PI data do not void the IA exception (issue 14's CPS drop)
        ({"ia"}, set(), {"quality", "pi"}, {"ia"}),
        ({"quality", "pi", "ia"}, set(), {"pi", "ia"}, {"quality"}),
        ({"quality", "pi", "ia"}, set(), {"ia"}, {"quality", "pi"}),
        ({"pi"}, set(), {"pi"}, set()),
        # automatic: one category of data leaves it alone, two void it for those categories
        (set(), {"quality", "ia", "cost"}, {"quality"}, {"quality", "ia", "cost"}),
        (set(), {"quality", "ia", "cost"}, {"quality", "pi"}, {"ia", "cost"}),
        (set(), {"quality", "pi", "ia", "cost"}, {"quality", "pi", "ia"}, {"cost"}),
        # both kinds at once
        ({"ia"}, {"quality"}, {"quality", "pi"}, {"ia"}),
    ],
)
def test_application_per_category_automatic_two_category_rule(
    recorded, automatic, submitted, reweighted
):
    assert effective_reweighting(recorded, automatic, ALL, submitted) == reweighted


def test_negated_means_automatic_voided_by_two_categories():
    assert not reweighting_decision({"ia"}, set(), ALL, {"quality", "pi"}).negated
    decision = reweighting_decision(set(), {"quality"}, ALL, {"quality", "pi"})
    assert decision.negated
    assert any("two or more categories" in n for n in decision.notes)
    kept = reweighting_decision({"ia"}, set(), ALL, {"quality", "pi"})
    assert any("IA exception stands" in n for n in kept.notes)


@pytest.mark.parametrize(
    ("recorded", "automatic", "submitted", "adding", "expect"),
    [
        # adding data to the excepted category itself voids the application
        ({"ia"}, set(), set(), "ia", "recorded (application) EUC exception for IA"),
        # adding another category never voids an application
        ({"ia"}, set(), {"quality"}, "pi", None),
        # the second category of data voids the automatic EUC for the first
        (set(), {"quality", "pi"}, {"quality"}, "pi", "automatic EUC exception for QUALITY"),
        (set(), {"quality", "pi"}, set(), "quality", None),
    ],
)
def test_voiding_warnings(recorded, automatic, submitted, adding, expect):
    warnings = voiding_warnings(recorded, automatic, ALL, submitted, adding)
    if expect is None:
        assert warnings == ()
    else:
        assert any(expect in w for w in warnings), warnings


def test_recorded_and_automatic_combine():
    decision = reweighting_decision({"pi"}, {"quality"}, ALL, set())
    assert decision.reweighted == {"quality", "pi"}
    assert "QUALITY reweighted to 0% (EUC, automatic)" in decision.notes
    assert "PI reweighted to 0% (EUC, recorded)" in decision.notes


def test_cost_submission_does_not_count_towards_negation():
    assert effective_reweighting(set(), {"quality"}, ALL, {"cost", "pi"}) == {"quality"}


def test_unknown_category_names_are_errors():
    with pytest.raises(ValueError, match="recorded"):
        effective_reweighting({"cost"}, set(), ALL, set())
    with pytest.raises(ValueError, match="automatic"):
        effective_reweighting(set(), {"aci"}, ALL, set())
