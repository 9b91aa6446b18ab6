"""Submit an entity's year to the QPP Submissions API and record what happened.

What is sent is `content.entity_content`: the enrolled categories with data (Quality from
the eCQM results, PI and IA from the current attestations), less the EUC-exempted ones. It
is refused (SubmissionRefused, nothing recorded but an audit event) while sign-offs the
dashboard's submission status requires are missing: CQM data that is not signed off is
not submitted (seed mips-dashboard, "Submission Statuses").

Outside CMS's submission period (`window.submission_window`) nothing is sent
(SubmissionClosed). Inside it, `prepare_submission` writes the attempt as Processing with
the document to send (committed before any HTTP call, so the dashboard shows it), and
`send_submission` (the Celery task `mips.tasks.send_qpp_submission`, or inline for the
command) sends it with progress per step, then records Submitted with the CMS submission
id and the score, or Submission Failed with QPP's real cause (`errors.explain`). The
CMS-submitted score is stored as a green score (`scores_back.store_submitted_score`). No
HTTP call runs inside a database transaction; every state change is an audit event.
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
from .errors import explain
from .scores_back import store_submitted_score
from .subgroup import subgroup_content
from .window import submission_window

DEFAULT_CEHRT_ID = "0015C0000000000"


class SubmissionSetupError(ValueError):
    """The entity cannot be submitted at all (unknown TIN/NPI); nothing was recorded."""


class SubmissionClosed(SubmissionSetupError):
    """Outside CMS's submission period of the year; nothing was recorded."""


class SubmissionRefused(SubmissionSetupError):
    """Submission is not enabled yet (missing sign-offs); no attempt was recorded."""

    def __init__(self, message: str, missing: tuple = ()) -> None:
        super().__init__(message)
        self.missing = missing


def entity_of(practice: Practice, tin: str, npi: str) -> tuple[MedicalGroup, TinNpi | None]:
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


def _fail(
    submission: QppSubmission, reason: str, *, kind: str = "", retry_after=None
) -> QppSubmission:
    submission.status = SubmissionStatus.FAILED
    submission.failure_reason = reason
    submission.error_kind = kind
    submission.retry_after = retry_after
    submission.finished_at = timezone.now()
    submission.save(
        update_fields=[
            "status", "failure_reason", "error_kind", "retry_after", "finished_at", "updated_at",
        ]
    )  # fmt: skip
    return submission


def prepare_submission(
    *,
    practice: Practice,
    year: int,
    tin: str,
    npi: str = "",
    user=None,
    cehrt_id: str | None = None,
    today: dt.date | None = None,
) -> QppSubmission:
    """Check the window and the sign-offs, build the measurement-set document of a TIN/NPI
    (or a TIN group without `npi`) for `year` and record the attempt: Processing with the
    document (ready for `send_submission`), or Submission Failed when there is nothing to
    send. Raises SubmissionSetupError (unknown entity), SubmissionClosed (outside the
    submission period; `today` is the injected clock) and SubmissionRefused (missing
    sign-offs); those record nothing but an audit event for the refusal."""
    group, tin_npi = entity_of(practice, tin, npi)
    window = submission_window(year, today=today)
    if not window.is_open:
        raise SubmissionClosed(window.message)
    cehrt_id = cehrt_id or getattr(settings, "MIPS_CEHRT_ID", "") or DEFAULT_CEHRT_ID
    content, document = build_document(practice, year, tin, npi, group, tin_npi, cehrt_id)
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
            document=document or {},
            steps_total=len((document or {}).get("measurementSets") or []) + 1,
        )  # fmt: skip
        record(
            practice=practice, actor=user, action="mips.qpp_submission_processing",
            obj=submission, summary=f"QPP submission {submission} started",
        )  # fmt: skip
    if not content.enrolled or not (document or {}).get("measurementSets"):
        return _finish(practice, user, _fail(submission, _nothing_reason(content, year)))
    return submission


def prepare_subgroup_submission(
    *, practice: Practice, subgroup, user=None, cehrt_id: str | None = None,
    today: dt.date | None = None,
) -> QppSubmission:  # fmt: skip
    """The same as `prepare_submission` for an MVP subgroup (an enrollment.Subgroup of the
    practice) and its year: the document is `subgroup.subgroup_content`'s (entityType
    "subgroup"); an ended subgroup cannot submit (SubmissionSetupError)."""
    if subgroup.practice_id != practice.pk:
        raise SubmissionSetupError("This subgroup is not one of this practice's subgroups")
    if not subgroup.is_active:
        raise SubmissionSetupError(f"{subgroup} has ended; it cannot submit")
    year = subgroup.year
    window = submission_window(year, today=today)
    if not window.is_open:
        raise SubmissionClosed(window.message)
    document, missing = subgroup_content(practice, subgroup, cehrt_id=cehrt_id)
    if missing:
        labels = "; ".join(a.label for a in missing)
        message = f"Submission of {subgroup} {year} is not enabled: missing sign-offs: {labels}"
        record(
            practice=practice, actor=user, action="mips.qpp_submission_refused", obj=subgroup,
            summary=message, missing=[a.code for a in missing],
        )  # fmt: skip
        raise SubmissionRefused(message, missing)
    with transaction.atomic():
        submission = QppSubmission.objects.create(
            practice=practice, year=year, medical_group=subgroup.medical_group,
            subgroup=subgroup, tin=subgroup.medical_group.tin, npi="",
            submitted_by=user if getattr(user, "is_authenticated", False) else None,
            document=document, steps_total=len(document["measurementSets"]) + 1,
        )  # fmt: skip
        record(
            practice=practice, actor=user, action="mips.qpp_submission_processing",
            obj=submission, summary=f"QPP submission {submission} started",
        )  # fmt: skip
    if not document["measurementSets"]:
        reason = (
            f"nothing to submit: no eCQM results of the MVP's measures, PI entries of the "
            f"group or IA attestations for {year} (run the calculation first)"
        )
        return _finish(practice, user, _fail(submission, reason))
    return submission


def build_document(practice, year, tin, npi, group, tin_npi, cehrt_id):
    """(EntityContent, the QPP document or None when not enrolled) of an entity's year, with
    the TIN Medicare knows the entity under (Payer Enrollment override)."""
    content = entity_content(practice, year=year, tin=tin, npi=npi, cehrt_id=cehrt_id)
    if not content.enrolled:  # its eCQM results are exported, never submitted
        return content, None
    document = submission_document(content.report, program_name=content.program_name)
    # Medicare may know the entity under another TIN (Payer Enrollment): QPP gets that one.
    on = min(timezone.localdate(), dt.date(year, 12, 31))
    resolution = (
        resolve_mips_tin(tin_npi, on) if tin_npi is not None else resolve_group_mips_tin(group, on)
    )
    document["taxpayerIdentificationNumber"] = resolution.mips_tin
    return content, document


def send_submission(
    submission: QppSubmission, *, client: QppSubmissionsClient | None = None
) -> QppSubmission:
    """Send a Processing attempt's document to QPP, recording progress per step, then its
    outcome. Idempotent: a finished attempt is left as is (re-posting a set replaces it at
    QPP, so a retried send cannot double-submit)."""
    if submission.is_finished:
        return submission
    practice, user = submission.practice, submission.submitted_by

    def progress(done: int, total: int) -> None:
        submission.steps_done, submission.steps_total = done, total
        QppSubmission.objects.filter(pk=submission.pk).update(
            steps_done=done, steps_total=total, updated_at=timezone.now()
        )

    try:
        receipt = (client or QppSubmissionsClient()).submit(submission.document, progress)
    except QppSubmissionError as exc:
        why = explain(exc)
        submission.response = {"error": str(exc)[:2000]}
        submission.save(update_fields=["response", "updated_at"])
        return _finish(
            practice, user, _fail(submission, why.reason, kind=why.kind, retry_after=why.retry_at)
        )
    submission.status = SubmissionStatus.SUBMITTED
    submission.submission_id = receipt.submission_id[:64]
    submission.measurement_set_ids = receipt.measurement_set_ids
    submission.response = {"measurementSets": receipt.responses, "score": receipt.score}
    try:
        value = receipt.final_score
        submission.score_preview = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        submission.score_preview = None
    submission.steps_done = submission.steps_total
    submission.finished_at = timezone.now()
    submission.save()
    store_submitted_score(submission, {"data": {"score": receipt.score}}, user=user)
    return _finish(practice, user, submission)


def fail_unexpectedly(submission: QppSubmission, exc: Exception) -> None:
    """The send crashed (a bug or an outage the client did not map): the attempt ends
    failed, so the card stops polling and says so."""
    submission.refresh_from_db()
    if not submission.is_finished:
        reason = (
            f"The submission stopped unexpectedly ({type(exc).__name__}); QPP may not have "
            "received all of it. Submit again; re-sent sets replace the earlier ones."
        )
        _finish(submission.practice, submission.submitted_by, _fail(submission, reason))


def submit_entity(
    *,
    practice: Practice,
    year: int,
    tin: str,
    npi: str = "",
    user=None,
    client: QppSubmissionsClient | None = None,
    cehrt_id: str | None = None,
    today: dt.date | None = None,
) -> QppSubmission:
    """Prepare and send in one go (the command; the report card queues the send as a
    Celery task). Returns the recorded attempt (Submitted or Submission Failed)."""
    submission = prepare_submission(
        practice=practice, year=year, tin=tin, npi=npi, user=user, cehrt_id=cehrt_id,
        today=today,
    )  # fmt: skip
    return send_submission(submission, client=client)


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
