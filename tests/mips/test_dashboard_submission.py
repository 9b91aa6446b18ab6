"""Submission status: every row of the seed's table, plus Submitted and Requirements Unmet."""

from __future__ import annotations

import pytest

from mips.dashboard.submission import (
    FAILED,
    PENDING,
    PROCESSING,
    SUBMITTED,
    UNMET,
    SubmissionInput,
    submission_status,
)

ALL_SIGNED = frozenset({"PI_PPHI_1", "PI_INFBLO_1", "PI_PPHI_2"})
ELIGIBLE_LIKE = ["eligible_individual", "eligible_group_only", "opted_in", "not_eligible"]


@pytest.mark.parametrize("eligibility", ELIGIBLE_LIKE)
def test_row1_eligible_with_missing_signoffs_is_pending_with_actions(eligibility):
    status = submission_status(
        SubmissionInput(
            eligibility=eligibility,
            enrolled_categories=frozenset({"quality", "pi"}),
            cqm_signoff_required=True,
            pi_attested=frozenset({"PI_PPHI_2"}),
            composite_passed=True,
        )
    )
    assert status.status == PENDING
    assert [a.code for a in status.actions] == ["PI_PPHI_1", "PI_INFBLO_1", "cqm_signoff"]
    assert {a.target for a in status.actions} == {"pi_attestations", "cqm_signoff"}
    assert "complete the sign-offs" in status.message


def test_row1_pi_attestations_only_required_when_enrolled_in_pi():
    status = submission_status(
        SubmissionInput(
            eligibility="eligible_individual",
            enrolled_categories=frozenset({"quality", "ia"}),
            cqm_signoff_required=True,
            cqm_signed_off=True,
            composite_passed=True,
        )
    )
    assert status.status == PROCESSING and status.actions == ()


def test_row2_unknown_is_pending_with_the_matching_message():
    status = submission_status(
        SubmissionInput(eligibility="unknown", pi_attested=ALL_SIGNED, composite_passed=True)
    )
    assert status.status == PENDING
    assert "unable to match" in status.message
    assert "Submission is enabled for Quality eCQMs" in status.message
    assert [a.target for a in status.actions] == ["eligibility"]


def test_row3_opt_in_eligible_not_opted_in_must_elect():
    status = submission_status(
        SubmissionInput(
            eligibility="opt_in_eligible", pi_attested=ALL_SIGNED, composite_passed=True
        )
    )
    assert status.status == PENDING
    assert "opt-in election on the QPP portal" in status.message
    assert [a.target for a in status.actions] == ["qpp_opt_in"]


@pytest.mark.parametrize("eligibility", ELIGIBLE_LIKE)
def test_row4_eligible_signed_and_score_passed_is_processing(eligibility):
    status = submission_status(
        SubmissionInput(
            eligibility=eligibility,
            enrolled_categories=frozenset({"quality", "pi", "ia"}),
            cqm_signoff_required=True,
            cqm_signed_off=True,
            pi_attested=ALL_SIGNED,
            composite_passed=True,
        )
    )
    assert status.status == PROCESSING
    assert "processed for submission" in status.message


def test_row5_error_in_npi_is_submission_failed():
    status = submission_status(
        SubmissionInput(eligibility="eligible_individual", submission_failed=True)
    )
    assert status.status == FAILED
    assert "TIN/NPI mismatch" in status.message


def test_submitted_shows_the_cms_submission_id():
    status = submission_status(
        SubmissionInput(eligibility="eligible_individual", submission_id="QPP-123")
    )
    assert status.status == SUBMITTED and status.submission_id == "QPP-123"


def test_nothing_pending_but_score_check_failing_is_requirements_unmet():
    status = submission_status(
        SubmissionInput(eligibility="eligible_individual", composite_passed=False)
    )
    assert status.status == UNMET
