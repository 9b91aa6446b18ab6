"""Submission status of one entity (seed mips-dashboard, "Submission Statuses" table).

A pure function: the report card passes what it knows (eligibility, sign-offs, the score,
the last submission attempt) and gets the status, the explanation and the pending
actions. The seed's table, row by row:

| eligibility                              | score passed | status                     |
|------------------------------------------|--------------|----------------------------|
| Eligible/Opted-in/QP/MIPS APM/Ineligible | N/A          | Pending Action (sign-offs) |
| Unknown                                  | N/A          | Pending Action (no match)  |
| Opt-in eligible, not opted in            | N/A          | Pending Action (opt in)    |
| Eligible/Opted-in/QP/MIPS APM/Ineligible | Yes          | Processing                 |
| Error in NPI                             | No           | Submission Failed          |

Two statuses the table does not spell out: Submitted (CMS accepted a submission; the
submission id is shown) and Requirements Unmet (nothing is pending but the composite
score check does not pass: no category has data that can be submitted). An attempt being
sent shows Processing with its progress.

Submission Failed says what QPP answered (`mips.submission.errors.explain`); the seed's
"TIN/NPI mismatch" text is used only when QPP's answer names a TIN/NPI mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

PROCESSING = "Processing"
PENDING = "Pending Action"
SUBMITTED = "Submitted"
FAILED = "Submission Failed"
UNMET = "Requirements Unmet"
STATUSES = (PROCESSING, PENDING, SUBMITTED, FAILED, UNMET)

# Eligibility codes of enrollment.eligibility (EligibilityStatus).
UNKNOWN = "unknown"
OPT_IN_ELIGIBLE = "opt_in_eligible"
# "Eligible/Opted-in/QP/MIPS APM/Ineligible": the operator may submit for all of these
# (an ineligible clinician reports voluntarily; QP and APM flags ride on these codes).
SUBMITTABLE = frozenset({"eligible_individual", "eligible_group_only", "opted_in", "not_eligible"})

# The PI attestations the seed names as mandatory for submission, with their labels.
PI_REQUIRED = (
    ("PI_PPHI_1", "Security Risk Analysis (SRA)"),
    ("PI_INFBLO_1", "Actions to Limit or Restrict Interoperability of CEHRT"),
    ("PI_PPHI_2", "SAFER Guides"),
)

TEXT = {
    PENDING: (
        "To enable submission, please complete the sign-offs below or raise a support "
        "ticket on the Success Community."
    ),
    UNKNOWN: (
        "We are unable to match your portal information with the QPP participation data. "
        "Submission is not enabled for Registry / CQM, PI or IA. Submission is enabled for "
        "Quality eCQMs."
    ),
    OPT_IN_ELIGIBLE: (
        "You need to make an opt-in election on the QPP portal for us to enable submission."
    ),
    PROCESSING: (
        "Data is being updated and will be processed for submission during the submission "
        "time frame."
    ),
    FAILED: (
        "Submission was attempted but failed due to TIN/NPI mismatch. Please raise a support "
        "ticket on the Success Community with the correct TIN/NPI information."
    ),
    "failed_other": "Submission was attempted but QPP did not accept it: {reason}",
    "in_flight": "The data is being sent to QPP now; this page shows the progress.",
    UNMET: (
        "Nothing is pending, but there is no Quality, PI or IA data that meets the submission "
        "requirements yet."
    ),
    SUBMITTED: "The data was submitted to CMS on your behalf.",
}


@dataclass(frozen=True)
class Action:
    """A pending action: what to do and where it is done (`target` is a page key the
    view turns into a URL: "cqm_signoff", "pi_attestations", "eligibility", "qpp_opt_in")."""

    code: str
    label: str
    target: str


@dataclass(frozen=True)
class SubmissionInput:
    eligibility: str  # EligibilityStatus code; "unknown" when not matched
    enrolled_categories: frozenset[str] = frozenset()  # "quality", "pi", "ia"
    cqm_signoff_required: bool = False  # enrolled in CQM (quality) measures
    cqm_signed_off: bool = False
    pi_attested: frozenset[str] = frozenset()  # PI measure ids answered "yes"
    composite_passed: bool = False  # a score with at least one submittable category
    submission_id: str = ""  # CMS submission id of an accepted submission
    submission_failed: bool = False  # the last attempt failed
    failure_reason: str = ""  # why, in QPP's terms (errors.explain)
    tin_npi_mismatch: bool = False  # QPP's answer named a TIN/NPI mismatch ("Error in NPI")
    in_flight: bool = False  # an attempt is being sent right now


@dataclass(frozen=True)
class SubmissionStatus:
    status: str
    message: str
    actions: tuple[Action, ...] = field(default=())
    submission_id: str = ""

    @property
    def css(self) -> str:
        return {PROCESSING: "ok", SUBMITTED: "ok", PENDING: "warn"}.get(self.status, "bad")


def signoff_actions(data: SubmissionInput) -> tuple[Action, ...]:
    """Sign-offs that block submission: the mandatory PI attestations when enrolled in PI,
    and the CQM data sign-off when enrolled in CQM measures."""
    actions = []
    if "pi" in data.enrolled_categories:
        for mid, label in PI_REQUIRED:
            if mid not in data.pi_attested:
                actions.append(Action(mid, f"Attest: {label}", "pi_attestations"))
    if data.cqm_signoff_required and not data.cqm_signed_off:
        actions.append(Action("cqm_signoff", "Sign off the CQM data", "cqm_signoff"))
    return tuple(actions)


def submission_status(data: SubmissionInput) -> SubmissionStatus:
    """The seed's table (module docstring), checked from the most final state down."""
    if data.in_flight:
        return SubmissionStatus(PROCESSING, TEXT["in_flight"], submission_id=data.submission_id)
    if data.submission_id and not data.submission_failed:
        return SubmissionStatus(SUBMITTED, TEXT[SUBMITTED], submission_id=data.submission_id)
    if data.submission_failed:
        # "Error in NPI" only when QPP said so; otherwise QPP's own cause.
        text = (
            TEXT[FAILED]
            if data.tin_npi_mismatch or not data.failure_reason
            else TEXT["failed_other"].format(reason=data.failure_reason)
        )
        return SubmissionStatus(FAILED, text, submission_id=data.submission_id)
    if data.eligibility == UNKNOWN:
        return SubmissionStatus(
            PENDING,
            TEXT[UNKNOWN],
            (Action("qpp_match", "Resolve the QPP eligibility mismatch", "eligibility"),),
        )
    if data.eligibility == OPT_IN_ELIGIBLE:
        return SubmissionStatus(
            PENDING,
            TEXT[OPT_IN_ELIGIBLE],
            (Action("qpp_opt_in", "Make the opt-in election on the QPP portal", "qpp_opt_in"),),
        )
    actions = signoff_actions(data)
    if actions:
        return SubmissionStatus(PENDING, TEXT[PENDING], actions)
    if data.composite_passed:
        return SubmissionStatus(PROCESSING, TEXT[PROCESSING])
    return SubmissionStatus(UNMET, TEXT[UNMET])


def submission_allowed(data: SubmissionInput) -> bool:
    """May the operator (re)submit now? Only when, past attempts aside, the status would be
    Processing: eligibility matched, no pending sign-offs, submittable data."""
    fresh = replace(data, submission_id="", submission_failed=False, in_flight=False)
    return submission_status(fresh).status == PROCESSING
