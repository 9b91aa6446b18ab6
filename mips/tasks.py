"""Celery tasks: thin wrappers that take ids and fan out per practice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from practices.models import Practice


@shared_task
def recalculate_ecqm(year: int | None = None) -> int:
    """Nightly: queue one recalculation per active practice. Returns practices queued."""
    with scopes_disabled():
        ids = list(Practice.objects.filter(is_active=True).values_list("pk", flat=True))
    for practice_id in ids:
        recalculate_practice_ecqm.delay(practice_id, year)
    return len(ids)


@shared_task
def recalculate_practice_ecqm(practice_id: int, year: int | None = None) -> dict:
    """Recalculate one practice's eCQMs for `year` (default: this year, if supported).
    Idempotent: stored results are replaced."""
    from mips.ecqm.engine import YEARS, calculate

    year = year or timezone.localdate().year
    if year not in YEARS:
        year = max(YEARS)
    with scopes_disabled():
        practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        run = calculate(practice, year, trigger="nightly")
    queued = queue_reference(practice_id, year)
    return {"practice": practice_id, "year": year, "patients": run.patients_evaluated,
            "reference_measures": queued}  # fmt: skip


def queue_reference(practice_id: int, year: int) -> int:
    """Fan the reference-engine eCQMs of a practice's year out, one task per measure."""
    from django.conf import settings

    from mips.ecqm.reference import content

    if not settings.ECQM_REFERENCE_FANOUT:
        return 0
    cms_ids = list(content.measures(year))
    for cms_id in cms_ids:
        recalculate_practice_reference.delay(practice_id, year, cms_id)
    return len(cms_ids)


@shared_task(acks_late=True)
def recalculate_practice_reference(practice_id: int, year: int, cms_id: str) -> dict:
    """One measure of one practice through the reference engine (Node, this worker's
    long-lived process). Idempotent: the measure's stored results are replaced."""
    from mips.ecqm.reference.run import calculate_reference

    with scopes_disabled():
        practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        run = calculate_reference(practice, year, measures=[cms_id], trigger="nightly")
    return {"practice": practice_id, "year": year, "measure": cms_id,
            "patients": run.patients_evaluated}  # fmt: skip


# --- MIPS score recalculation (portal preview) --------------------------------------------


def _score_year(year: int | None) -> int:
    from mips.scoring import RULES

    year = year or timezone.localdate().year
    return year if year in RULES else max(RULES)


@shared_task
def recalculate_scores(year: int | None = None) -> int:
    """Daily (after the eCQM recalculation): queue one score recalculation per active
    practice. Returns practices queued."""
    with scopes_disabled():
        ids = list(Practice.objects.filter(is_active=True).values_list("pk", flat=True))
    for practice_id in ids:
        recalculate_practice_scores.delay(practice_id, year)
    return len(ids)


@shared_task
def recalculate_practice_scores(practice_id: int, year: int | None = None) -> dict:
    """Score every enrolled TIN/NPI and group of one practice (portal preview snapshots).
    Idempotent: an unchanged result adds no snapshot."""
    from mips.recalculation import recalculate_practice

    year = _score_year(year)
    with scopes_disabled():
        practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        stats = recalculate_practice(practice, year)
    return {"practice": practice_id, "year": year, **stats.as_dict()}


@shared_task
def recalculate_entity_scores(practice_id: int, year: int, medical_group_id: int) -> dict:
    """After an attestation or sign-off: rescore one TIN (its group and its TIN/NPIs, so
    the individual-vs-group comparison stays right)."""
    from mips.recalculation import recalculate_practice

    with scopes_disabled():
        practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        stats = recalculate_practice(practice, year, medical_group_ids=[medical_group_id])
    return {"practice": practice_id, "year": year, **stats.as_dict()}


@shared_task
def import_qrda_batch(batch_id: int) -> dict:
    """Import an uploaded QRDA I batch (eCQM Data page) and recalculate; progress is kept
    on the batch row, which the page polls. Idempotent (see run_batch)."""
    from mips.models import QrdaImportBatch
    from mips.qrda.batches import fail_batch, run_batch

    with scopes_disabled():
        batch = QrdaImportBatch.objects.select_related("practice", "uploaded_by").get(pk=batch_id)
    with scope(practice=batch.practice):
        try:
            run_batch(batch)
        except Exception as exc:
            fail_batch(batch, f"the import stopped unexpectedly: {type(exc).__name__}: {exc}")
            raise
    return {"batch": batch_id, "imported": batch.imported, "rejected": batch.rejected}


@shared_task
def send_qpp_submission(submission_id: int) -> dict:
    """Send a prepared QPP submission (Submit on the report card) with progress on its row,
    which the card polls. Idempotent (a finished attempt is left as is). Kept thin so the
    shared job runner can take it over."""
    from mips.models import QppSubmission
    from mips.submission.services import fail_unexpectedly, send_submission

    with scopes_disabled():
        submission = QppSubmission.objects.select_related(
            "practice", "submitted_by", "tin_npi", "medical_group"
        ).get(pk=submission_id)
    with scope(practice=submission.practice):
        try:
            send_submission(submission)
        except Exception as exc:
            fail_unexpectedly(submission, exc)
            raise
    return {"submission": submission_id, "status": submission.status}
