"""Demo: the prior year's (2025) submissions to QPP and the scores CMS returned, on top of
whatever the rest of the demo seeded for that year (called at the end of mips.demo.seed).

Seven Hills, TIN 461234567:
- Dr. Okafor: a first attempt in January 2026 that QPP answered with HTTP 503 on every
  retry (Submission Failed, "submit again later"), then a successful one (Submitted with
  its CMS Submission ID) whose score came back (green), after CMS's preview of the data in
  December 2025 (purple); with the portal's own preview (blue) the 2025 card shows all
  three colours and the history of attempts.
- Dr. Whitfield: an attempt QPP refused because the NPI is not associated with the TIN
  (HTTP 422, QPP's own TIN/NPI mismatch): Submission Failed with that cause.
The current year's rows of the seed's status table (Processing, Pending Action,
Requirements Unmet) come from the current year's data and eligibility.

"CMS" here is the fake QPP server's scorer (mips.scoring.score_submission_document), the
same one the fake Submissions API answers with. Idempotent: the prior year's submissions
and CMS scores of the practice are replaced on every run. Uses only what exists: a
clinician without the TIN/NPI is skipped.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q

from practices.demo import DemoContext
from practices.models import AuditEvent, TinNpi
from practices.performance_year import supported_year
from practices.services import record

from .models import QppSubmission, ScoreSnapshot, ScoreSource, SubmissionStatus
from .scoring import RULES
from .scoring.submission import score_submission_document
from .snapshots import import_cms_score
from .submission.client import QppRejected, QppUnavailable
from .submission.errors import explain
from .submission.services import DEFAULT_CEHRT_ID, build_document

TIN = "461234567"
NAMESPACE = uuid.UUID("6f1d2c3e-2025-4a5b-9c8d-7e6f5a4b3c2d")


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def _tin_npi(ctx: DemoContext, practice, name: str) -> TinNpi | None:
    provider = ctx.providers.get(f"seven-hills:{name}")
    if provider is None:
        return None
    return TinNpi.objects.filter(
        practice=practice, provider=provider, medical_group__tin=TIN
    ).first()


def _document(practice, year: int, tin_npi: TinNpi) -> dict:
    """What the portal would send (built from the year's data when it is enrolled), else a
    minimal IA set so the demo still has a document to show."""
    _, document = build_document(
        practice, year, TIN, tin_npi.npi, tin_npi.medical_group, tin_npi, DEFAULT_CEHRT_ID
    )
    if document and document.get("measurementSets"):
        return document
    return {
        "performanceYear": year, "entityType": "individual", "taxpayerIdentificationNumber": TIN,
        "nationalProviderIdentifier": tin_npi.npi,
        "measurementSets": [{
            "category": "ia", "submissionMethod": "registry", "programName": "mips",
            "performanceStart": f"{year}-01-01", "performanceEnd": f"{year}-12-31",
            "measurements": [{"measureId": "IA_BE_1", "value": True}],
        }],
    }  # fmt: skip


def _attempt(practice, user, tin_npi, year, document, when, **fields) -> QppSubmission:
    sub = QppSubmission.objects.create(
        practice=practice, year=year, tin_npi=tin_npi, medical_group=tin_npi.medical_group,
        tin=TIN, npi=tin_npi.npi, submitted_by=user, document=document,
        steps_total=len(document["measurementSets"]) + 1, finished_at=when, **fields,
    )  # fmt: skip
    QppSubmission.objects.filter(pk=sub.pk).update(created_at=when, updated_at=when)
    record(
        practice=practice, actor=user, action=f"mips.qpp_submission_{sub.status}", obj=sub,
        summary=f"QPP submission {sub} (demo)", submission_id=sub.submission_id,
        reason=sub.failure_reason,
    )  # fmt: skip
    return sub


def _failed(practice, user, tin_npi, year, document, when, error) -> QppSubmission:
    why = explain(error, now=when)
    return _attempt(
        practice, user, tin_npi, year, document, when, status=SubmissionStatus.FAILED,
        failure_reason=why.reason, error_kind=why.kind, retry_after=why.retry_at,
        response={"error": str(error)},
    )  # fmt: skip


def _cms_score(tin_npi, year, document, source, when, user, submission_id=""):
    scored = score_submission_document({**document, "id": submission_id or None})
    snapshot = import_cms_score(
        document=scored, source=source, year=year, user=user, tin_npi=tin_npi,
        submission_id=submission_id,
    )  # fmt: skip
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=when)
    return snapshot


def seed(ctx: DemoContext) -> None:
    practice = ctx.practices["seven-hills"]
    year = supported_year(None, RULES) - 1  # last year's submission, of a year we score
    if year not in RULES:
        return
    user = ctx.users["quality@sevenhills.test"]
    old = QppSubmission.objects.filter(practice=practice, year=year)
    AuditEvent.objects.filter(
        practice=practice,
        object_type="QppSubmission",
        object_id__in=[str(p) for p in old.values_list("public_id", flat=True)],
    ).delete()  # the demo's own events of the attempts it replaces
    old.delete()
    ScoreSnapshot.objects.filter(
        Q(source=ScoreSource.CMS_SUBMITTED) | Q(source=ScoreSource.CMS_PREVIEW),
        practice=practice, year=year,
    ).delete()  # fmt: skip
    seeded = []
    okafor = _tin_npi(ctx, practice, "Okafor")
    if okafor is not None:
        document = _document(practice, year, okafor)
        _cms_score(okafor, year, document, ScoreSource.CMS_PREVIEW, _at(year, 12, 15), user)
        _failed(
            practice, user, okafor, year, document, _at(year + 1, 1, 10),
            QppUnavailable("/measurement-sets: HTTP 503 after 5 attempts", status=503, attempts=5),
        )  # fmt: skip
        submission_id = str(uuid.uuid5(NAMESPACE, f"{okafor.pk}-{year}"))
        sub = _attempt(
            practice, user, okafor, year, document, _at(year + 1, 1, 12),
            status=SubmissionStatus.SUBMITTED, submission_id=submission_id,
        )  # fmt: skip
        green = _cms_score(
            okafor, year, document, ScoreSource.CMS_SUBMITTED, _at(year + 1, 1, 12, 11), user,
            submission_id,
        )  # fmt: skip
        QppSubmission.objects.filter(pk=sub.pk).update(score_preview=green.final_score)
        seeded.append(f"Dr. Okafor Submitted ({submission_id[:8]}…, CMS score {green.final_score})")
    whitfield = _tin_npi(ctx, practice, "Whitfield")
    if whitfield is not None:
        document = _document(practice, year, whitfield)
        _failed(
            practice, user, whitfield, year, document, _at(year + 1, 2, 3),
            QppRejected(422, "TinNpiMismatch: the NPI is not associated with the TIN"),
        )  # fmt: skip
        seeded.append("Dr. Whitfield Submission Failed (QPP: TIN/NPI mismatch)")
    ctx.log.append(f"submissions {year}: " + ("; ".join(seeded) or "none (no TIN/NPIs)"))
