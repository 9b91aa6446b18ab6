"""QRDA I uploads from the eCQM Data page: store the files as a batch, import them in a
Celery task with progress the page polls (models in mips/models/qrda.py).

Uploaded bytes are size-checked before they are read (the form), stored in the database
under a label derived from the file name (the name itself is never used as a path), and
emptied once the task has read them. Each QRDA document (a zip gives many) is validated
and imported on its own: a rejected one stores nothing, the others still import.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.models import Job
from jobs.queue import EnqueueFailed, enqueue_job
from jobs.queue import enqueue as queue_task
from practices.models import Practice
from practices.services import record

from ..ecqm.engine import YEARS
from ..ecqm.tasks import recalculate_practice_every_ecqm
from ..models import QrdaImportBatch, QrdaImportFile, QrdaImportResult
from .importer import Qrda1Outcome, import_qrda1_file
from .safe_xml import UnsafeXmlError, expand_upload

logger = logging.getLogger(__name__)


def display_name(name: str) -> str:
    """A label for an uploaded file: its base name, printable ASCII only, <= 120 chars."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", base).strip(" .")
    return base[-120:] or "upload"


@transaction.atomic
def create_batch(
    *, practice: Practice, uploads, tin: str = "", npi: str = "", year: int, user=None
) -> QrdaImportBatch:
    """Store uploaded files (already size-checked) as a queued batch and enqueue the import
    once the transaction commits."""
    batch = QrdaImportBatch.objects.create(
        practice=practice, tin=tin, npi=npi, year=year,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )  # fmt: skip
    QrdaImportFile.objects.bulk_create(
        QrdaImportFile(
            practice=practice,
            batch=batch,
            position=n,
            name=display_name(upload.name),
            size=upload.size,
            content=upload.read(),
        )  # fmt: skip
        for n, upload in enumerate(uploads)
    )
    record(
        practice=practice, actor=user, action="mips.qrda1_upload", obj=batch,
        summary=f"QRDA I upload of {len(uploads)} file(s) queued",
    )  # fmt: skip
    transaction.on_commit(lambda: enqueue(batch.pk))
    return batch


def enqueue(batch_id: int) -> None:
    """Queue the Celery task that imports a batch (the one seam tests replace); when the
    broker is down the batch fails at once saying so. By job name: the task module
    (tasks.py) imports this one."""
    try:
        enqueue_job(Job.IMPORT_QRDA_BATCH, batch_id)
    except EnqueueFailed as exc:
        fail_batch(QrdaImportBatch.objects.get(pk=batch_id), str(exc))


def batch_context(batch: QrdaImportBatch | None) -> dict:
    """Template context of the batch fragment: the batch and, once finished, its results."""
    results = []
    if batch is not None and batch.is_finished:
        results = list(QrdaImportResult.objects.filter(batch=batch).order_by("position"))
    return {"batch": batch, "results": results}


def _save_progress(batch: QrdaImportBatch, **fields) -> None:
    for key, value in fields.items():
        setattr(batch, key, value)
    QrdaImportBatch.objects.filter(pk=batch.pk).update(**fields, updated_at=timezone.now())


def _documents(batch: QrdaImportBatch) -> list[tuple[str, bytes | None, str]]:
    """(name, content, refusal) of every QRDA document of the batch's files: a refused file
    or an unreadable zip member is one refused document, the archive's others still count."""
    documents: list[tuple[str, bytes | None, str]] = []
    for upload in QrdaImportFile.objects.filter(batch=batch).order_by("position"):
        try:
            for doc in expand_upload(bytes(upload.content), name=upload.name):
                documents.append((doc.name, None if doc.error else doc.content, doc.error))
        except UnsafeXmlError as exc:
            documents.append((upload.name, None, str(exc)))
    return documents


def _import_one(batch: QrdaImportBatch, name: str, content: bytes, schematron: bool):
    try:
        return import_qrda1_file(
            practice=batch.practice, raw=content, file_name=name, tin=batch.tin, npi=batch.npi,
            user=batch.uploaded_by, schematron=schematron,
        )  # fmt: skip
    except Exception:  # one file's unexpected fault must not cost the others
        logger.exception("QRDA I import of %s (batch %s) failed", name, batch.pk)
        return Qrda1Outcome(
            file_name=name, ok=False,
            message=f"{name}: could not be imported because of an internal error (logged for "
            "support); the other files were not affected. Try this file again later.",
        )  # fmt: skip


def final_status(imported: int, rejected: int) -> str:
    """Done when everything imported, a warning when some files were rejected, failed
    when nothing was imported."""
    if rejected and not imported:
        return QrdaImportBatch.Status.FAILED
    if rejected:
        return QrdaImportBatch.Status.WARNING
    return QrdaImportBatch.Status.DONE


def run_batch(batch: QrdaImportBatch, *, on_progress=None) -> QrdaImportBatch:
    """Import every document of a queued batch, recording progress as it goes (each file
    commits on its own, so the page sees progress). Idempotent: a finished batch is left
    as is; a re-run continues after the last recorded document. The uploaded bytes are
    emptied when the batch ends, however it ends. `on_progress` is called after each
    document (the job run's heartbeat)."""
    if batch.is_finished:
        return batch
    _save_progress(batch, status=QrdaImportBatch.Status.RUNNING, started_at=timezone.now())
    schematron = getattr(settings, "QRDA_UPLOAD_SCHEMATRON", True)
    documents = _documents(batch)
    _save_progress(batch, total=len(documents))
    done = QrdaImportResult.objects.filter(batch=batch).count()
    for position, (name, content, refusal) in enumerate(documents):
        if position < done:
            continue
        if content is None:
            outcome = Qrda1Outcome(file_name=name, ok=False, message=refusal)
        else:
            outcome = _import_one(batch, name, content, schematron)
        QrdaImportResult.objects.create(
            practice=batch.practice, batch=batch, position=position, name=name[:255],
            ok=outcome.ok, message=outcome.message, warnings=outcome.warnings,
            data_import=outcome.data_import,
        )  # fmt: skip
        _save_progress(
            batch, processed=position + 1, imported=batch.imported + outcome.ok,
            rejected=batch.rejected + (not outcome.ok),
        )  # fmt: skip
        if on_progress is not None:
            on_progress()
    _discard_uploads(batch)
    if batch.imported:
        _save_progress(batch, recalculation=queue_recalculation(batch))
    status = final_status(batch.imported, batch.rejected)
    error = ""
    if status == QrdaImportBatch.Status.FAILED:
        error = (
            f"None of the {batch.rejected} file(s) could be imported; the reasons are listed "
            "below. Fix them in the exporting EHR (or re-create the zip) and upload again."
        )
    elif not documents:
        status = QrdaImportBatch.Status.FAILED
        error = "The upload contained no QRDA documents."
    _save_progress(batch, status=status, error=error, finished_at=timezone.now())
    return batch


def queue_recalculation(batch: QrdaImportBatch) -> str:
    """Queue the recalculation of every eCQM (the six and the reference-engine ones) of
    every supported year, as the FHIR upload does, and return what to tell the user. Every
    year: a document's facts can count in another year than its reporting period (a
    lookback, a patient seen in both years), and a replaced import's facts may have counted
    in any. Queued, never run here: the reference engine runs in its own worker tasks, one
    run and lock per practice and year (mips/ecqm/tasks.py)."""
    user_id = batch.uploaded_by_id
    try:
        for year in YEARS:
            queue_task(recalculate_practice_every_ecqm, batch.practice_id, year, user_id)
    except EnqueueFailed as exc:
        return f"The eCQM results were not recalculated: {exc} Use Recalculate on this page."
    years = " and ".join(map(str, YEARS))
    return f"Recalculation of every {years} eCQM queued; the results update when it has run."


def _discard_uploads(batch: QrdaImportBatch) -> None:
    QrdaImportFile.objects.filter(batch=batch).exclude(content=b"").update(content=b"")


def fail_batch(batch: QrdaImportBatch, reason: str) -> None:
    """Mark a batch failed (the task crashed); the page stops polling and says why. The
    uploaded bytes are discarded: a failed batch is uploaded again, not resumed."""
    _discard_uploads(batch)
    _save_progress(
        batch, status=QrdaImportBatch.Status.FAILED, error=reason[:2000],
        finished_at=timezone.now(),
    )  # fmt: skip
