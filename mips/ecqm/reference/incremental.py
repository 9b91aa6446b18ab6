"""Incremental evaluation for the reference engine: per measure and year, only candidates
whose input changed since their stored evaluation (ReferenceEvaluation) go to the engine.

A patient's input hash covers what its bundle is built from (every fact's id and the
columns a measure reads, birth date, sex, death, race and ethnicity); the content hash
covers the measure's shipped resources. New, changed or re-imported patients (re-imports
give facts new ids) and a new content release are evaluated again; patients no longer
candidates lose their row.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.db import transaction

from ...models import ClinicalFact, Patient, ReferenceEvaluation
from . import content

FACT_COLUMNS = (
    "id",
    "kind",
    "system",
    "code",
    "status",
    "negated",
    "start_at",
    "end_at",
    "authored_at",
    "value_num",
    "value_code",
    "reason_code",
)


def content_hash(cms_id: str, year: int) -> str:
    keys = "\n".join(content.meta(cms_id, year)["resources"])
    return hashlib.sha256(keys.encode()).hexdigest()


def input_hashes(patient_ids: list[int]) -> dict[int, str]:
    """{patient: sha256 of its bundle's inputs}; two queries."""
    parts: dict[int, list[str]] = defaultdict(list)
    for pid, *demographics in Patient.objects.filter(pk__in=patient_ids).values_list(
        "pk", "birth_date", "sex", "deceased", "deceased_at",
        "race_code", "race_codes", "ethnicity_code",
    ):  # fmt: skip
        parts[pid].append("|".join(map(str, demographics)))
    rows = (
        ClinicalFact.objects.filter(patient_id__in=patient_ids)
        .order_by("patient_id", "id")
        .values_list("patient_id", *FACT_COLUMNS)
    )
    for pid, *values in rows.iterator(chunk_size=5000):
        parts[pid].append("|".join(map(str, values)))
    return {pid: hashlib.sha256("\n".join(p).encode()).hexdigest() for pid, p in parts.items()}


def split(practice_id: int, year: int, cms_id: str, candidates: list[int]):
    """(stale patient ids, {patient: groups} reusable, hashes, content hash)."""
    hashes = input_hashes(candidates)
    version = content_hash(cms_id, year)
    stored = {
        row.patient_id: row
        for row in ReferenceEvaluation.objects.filter(
            practice_id=practice_id, year=year, cms_id=cms_id, patient_id__in=candidates
        )
    }
    reuse, stale = {}, []
    for pid in candidates:
        row = stored.get(pid)
        if row and row.input_hash == hashes.get(pid) and row.content_hash == version:
            reuse[pid] = row.groups
        else:
            stale.append(pid)
    return stale, reuse, hashes, version


@transaction.atomic
def store(
    practice_id: int,
    year: int,
    cms_id: str,
    candidates: list[int],
    fresh: dict[int, list],
    hashes: dict[int, str],
    version: str,
) -> None:
    """Replace the rows of the freshly evaluated patients; drop non-candidates' rows."""
    rows = ReferenceEvaluation.objects.filter(practice_id=practice_id, year=year, cms_id=cms_id)
    rows.exclude(patient_id__in=candidates).delete()
    rows.filter(patient_id__in=list(fresh)).delete()
    ReferenceEvaluation.objects.bulk_create(
        [
            ReferenceEvaluation(
                practice_id=practice_id,
                year=year,
                cms_id=cms_id,
                patient_id=pid,
                input_hash=hashes.get(pid, ""),
                content_hash=version,
                groups=groups,
            )
            for pid, groups in fresh.items()
        ],
        batch_size=2000,
    )
