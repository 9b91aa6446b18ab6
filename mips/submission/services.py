"""Submit an entity's year to the QPP Submissions API and record what happened.

What is sent is `content.entity_content`: the enrolled categories with data (Quality from
the eCQM results, PI and IA from the current attestations), less the EUC-exempted ones. It
is refused (SubmissionRefused, nothing recorded but an audit event) while sign-offs the
dashboard's submission status requires are missing: CQM data that is not signed off is
not submitted (seed mips-dashboard, "Submission Statuses").

`submit_entity` writes the attempt as Processing (committed before the HTTP call, so the
dashboard shows it while QPP answers), then Submitted with the CMS submission id and the
score preview, or Submission Failed with the reason. No HTTP call runs inside a database
transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practices.models import MedicalGroup, Practice, TinNpi
from practices.services import record, resolve_group_mips_tin, resolve_mips_tin

from ..models import QppSubmission, SubmissionStatus
from .client import QppSubmissionError, QppSubmissionsClient
from .content import entity_content
from .document import submission_document

DEFAULT_CEHRT_ID = "0015C0000000000"


class SubmissionSetupError(ValueError):
    """The entity cannot be submitted at all (unknown TIN/NPI); nothing was recorded."""


class SubmissionRefused(SubmissionSetupError):
    """Submission is not enabled yet (missing sign-offs); no attempt was recorded."""

    def __init__(self, message: str, missing: tuple = ()) -> None:
        super().__init__(message)
        self.missing = missing


def _entity(practice: Practice, tin: str, npi: str) -> tuple[MedicalGroup, TinNpi | None]:
    group = MedicalGroup.objects.filter(practice=practice, tin=tin).first()
    if group is None:
        raise SubmissionSetupError(f"TIN {tin} is not one of this practice's medical groups")
    if not npi:
        return group, None
    tin_npi = (
        TinNpi.objects.filter(practice=practice, medical_group=group, provider__npi=npi)
        .order_by("-is_active", "pk")
        .first()
    )
    if tin_npi is None:
        raise SubmissionSetupError(f"NPI {npi} is not a clinician of TIN {tin}")
    return group, tin_npi


def _fail(submission: QppSubmission, reason: str, response: dict | None = None) -> QppSubmission:
    submission.status = SubmissionStatus.FAILED
    submission.failure_reason = reason
    submission.response = response or {}
    submission.finished_at = timezone.now()
    submission.save(
        update_fields=["status", "failure_reason", "response", "finished_at", "updated_at"]
    )
    return submission


def submit_entity(
    *,
    practice: Practice,
    year: int,
    tin: str,
    npi: str = "",
    user=None,
    client: QppSubmissionsClient | None = None,
    cehrt_id: str | None = None,
) -> QppSubmission:
    """Build the measurement-set document of a TIN/NPI (or a TIN group without `npi`) for
    `year` (eCQM results, PI and IA attestations of its enrolled, non-exempted categories)
    and submit it; returns the recorded attempt (Submitted or Submission Failed). Raises
    SubmissionSetupError for an unknown entity and SubmissionRefused while required
    sign-offs are missing."""
    group, tin_npi = _entity(practice, tin, npi)
    cehrt_id = cehrt_id or getattr(settings, "MIPS_CEHRT_ID", "") or DEFAULT_CEHRT_ID
    content = entity_content(practice, year=year, tin=tin, npi=npi, cehrt_id=cehrt_id)
    if content.missing_signoffs:
        labels = "; ".join(a.label for a in content.missing_signoffs)
        who = f"{tin}/{npi}" if npi else f"TIN {tin} (group)"
        message = f"Submission of {who} {year} is not enabled: missing sign-offs: {labels}"
        record(
            practice=practice, actor=user, action="mips.qpp_submission_refused",
            obj=tin_npi or group, summary=message,
            missing=[a.code for a in content.missing_signoffs],
        )  # fmt: skip
        raise SubmissionRefused(message, content.missing_signoffs)
    with transaction.atomic():
        submission = QppSubmission.objects.create(
            practice=practice, year=year, tin_npi=tin_npi, medical_group=group, tin=tin,
            npi=npi, submitted_by=user if getattr(user, "is_authenticated", False) else None,
        )  # fmt: skip
    if not content.enrolled:  # its eCQM results are exported, never submitted
        return _finish(practice, user, _fail(submission, _nothing_reason(content, year)))
    document = submission_document(content.report, program_name=content.program_name)
    # Medicare may know the entity under another TIN (Payer Enrollment): QPP gets that one.
    on = min(timezone.localdate(), dt.date(year, 12, 31))
    resolution = (
        resolve_mips_tin(tin_npi, on) if tin_npi is not None else resolve_group_mips_tin(group, on)
    )
    document["taxpayerIdentificationNumber"] = resolution.mips_tin
    submission.document = document
    submission.save(update_fields=["document", "updated_at"])
    if not document["measurementSets"]:
        return _finish(practice, user, _fail(submission, _nothing_reason(content, year)))
    try:
        receipt = (client or QppSubmissionsClient()).submit(document)
    except QppSubmissionError as exc:
        return _finish(practice, user, _fail(submission, str(exc)))
    submission.status = SubmissionStatus.SUBMITTED
    submission.submission_id = receipt.submission_id[:64]
    submission.measurement_set_ids = receipt.measurement_set_ids
    submission.response = {"measurementSets": receipt.responses, "score": receipt.score}
    try:
        value = receipt.final_score
        submission.score_preview = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        submission.score_preview = None
    submission.finished_at = timezone.now()
    submission.save()
    return _finish(practice, user, submission)


def _nothing_reason(content, year: int) -> str:
    if not content.enrolled:
        return f"nothing to submit: not enrolled in MIPS Quality, PI or IA for {year}"
    if content.exempted:
        left_out = ", ".join(c.upper() for c in sorted(content.exempted))
        return f"nothing to submit: {left_out} exempted by an EUC exception, no other data"
    return (
        f"nothing to submit: no eCQM results, PI entries or IA attestations for {year} "
        "(run the calculation first)"
    )


def _finish(practice: Practice, user, submission: QppSubmission) -> QppSubmission:
    record(
        practice=practice, actor=user, action=f"mips.qpp_submission_{submission.status}",
        obj=submission, summary=f"QPP submission {submission}",
        submission_id=submission.submission_id, reason=submission.failure_reason,
    )  # fmt: skip
    return submission
