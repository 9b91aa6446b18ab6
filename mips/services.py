"""The test-patient flag (audited), which queues the eCQM recalculation of the practice.
Other mips writes live with their concern: attestations.py, qrda/, fhir/, submission/."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from jobs.models import Job
from jobs.queue import EnqueueFailed, enqueue_job
from practices.services import record

from .ecqm.valuesets import YEARS
from .models import Patient

log = logging.getLogger(__name__)


@transaction.atomic
def set_test_patient(*, patient: Patient, is_test: bool, user) -> Patient:
    """Mark or unmark a test patient, recording who and when (and an audit event), and
    recalculate the practice's eCQMs in the background so that results, exports and
    submissions stop (or start) counting the patient."""
    if patient.is_test == is_test:
        return patient
    patient.is_test = is_test
    patient.test_marked_by = user if getattr(user, "is_authenticated", False) else None
    patient.test_marked_at = timezone.now()
    patient.save(update_fields=["is_test", "test_marked_by", "test_marked_at", "updated_at"])
    record(
        practice=patient.practice,
        actor=user,
        action="mips.test_patient_marked" if is_test else "mips.test_patient_unmarked",
        obj=patient,
        summary=f"{patient.display_name} {'marked' if is_test else 'unmarked'} as test patient",
    )
    _recalculate_after_commit(patient.practice_id)
    return patient


def _recalculate_after_commit(practice_id: int) -> None:
    def queue(year: int) -> None:
        try:
            enqueue_job(Job.RECALCULATE_ECQM, practice_id, year)
        except EnqueueFailed:
            log.warning(
                "eCQM recalculation of practice %s not queued; the nightly run will", practice_id
            )

    for year in YEARS:
        transaction.on_commit(lambda year=year: queue(year))
