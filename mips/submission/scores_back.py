"""Scores back from CMS (QPP_API.md 2.2/2.4), stored as score snapshots the report card
draws: the score of a saved submission (`GET /submissions/{id}/score`) as the
CMS-submitted score (green), and CMS's preview of the data in the portal (`POST
/submissions/score-preview`) as the CMS preview (purple). Where QPP offers no preview (the
endpoint answers 404, or settings.QPP_SCORE_PREVIEW is off) nothing is stored and the card
says "not yet published". Every stored score is an audit event; history is kept by the
snapshots (a new score retires the previous current one)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from practices.services import record

from ..models import QppSubmission, ScoreSnapshot, ScoreSource
from ..snapshots import import_cms_score
from .client import QppRejected, QppSubmissionsClient

logger = logging.getLogger(__name__)


def _store(*, document, source, year, user, tin_npi, group, submission_id, practice, why):
    try:
        with transaction.atomic():
            snapshot = import_cms_score(
                document=document, source=source, year=year, user=user, tin_npi=tin_npi,
                medical_group=None if tin_npi else group, submission_id=submission_id,
            )  # fmt: skip
    except ValidationError as exc:
        logger.warning("CMS score not stored (%s): %s", why, exc)
        record(
            practice=practice, actor=user, action="mips.cms_score_refused",
            obj=tin_npi or group, summary=f"CMS score not stored ({why}): {exc}",
        )  # fmt: skip
        return None
    record(
        practice=practice, actor=user, action=f"mips.{source}_received", obj=snapshot,
        summary=f"{snapshot.get_source_display()} {year}: {snapshot.final_score} ({why})",
        submission_id=submission_id,
    )  # fmt: skip
    return snapshot


def store_submitted_score(submission: QppSubmission, document: dict, *, user=None):
    """Store the score QPP returned for a saved submission as the CMS-submitted score. A
    subgroup's score is not a TIN/NPI's or the group's snapshot: it stays on its attempt
    (`score_preview`, `response`)."""
    if submission.subgroup_id is not None or not (document.get("data") or {}).get("score"):
        return None
    return _store(
        document=document, source=ScoreSource.CMS_SUBMITTED, year=submission.year, user=user,
        tin_npi=submission.tin_npi, group=submission.medical_group,
        submission_id=submission.submission_id, practice=submission.practice,
        why=f"submission {submission.submission_id}",
    )  # fmt: skip


def refresh_submitted_score(
    submission: QppSubmission, *, client: QppSubmissionsClient | None = None
) -> ScoreSnapshot | None:
    """Read a submitted attempt's score again (CMS rescored it) and store it."""
    score = (client or QppSubmissionsClient()).score(submission.submission_id)
    return store_submitted_score(submission, {"data": {"score": score}})


def fetch_cms_preview(
    *, practice, year: int, tin_npi, group, document: dict,
    client: QppSubmissionsClient | None = None, user=None,
) -> ScoreSnapshot | None:  # fmt: skip
    """CMS's score preview of `document` (what the portal would submit now), stored as the
    CMS preview; None when QPP does not offer a preview ("not yet published")."""
    if not getattr(settings, "QPP_SCORE_PREVIEW", True) or not document.get("measurementSets"):
        return None
    try:
        score = (client or QppSubmissionsClient()).score_preview(document)
    except QppRejected as exc:
        if exc.status == 404:
            return None
        raise
    return _store(
        document={"data": {"score": score}}, source=ScoreSource.CMS_PREVIEW, year=year,
        user=user, tin_npi=tin_npi, group=group, submission_id="", practice=practice,
        why="CMS score preview",
    )  # fmt: skip
