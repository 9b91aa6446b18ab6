"""Store a parsed FHIR bundle as one DataImport with its patients and facts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from practices.models import Practice
from practices.services import record

from ..fact_rows import FACT_FIELDS, fact_row_problem
from ..models import ClinicalFact, DataImport, FactSource, Patient
from .parse import FhirError, ParsedBundle, parse_bundle
from .strict_json import load_strict_json

SOURCE_KEY_MAX = 255  # DataImport.source_key


@dataclass
class ImportOutcome:
    data_import: DataImport
    replaced: DataImport | None
    patients: int
    facts: int


@transaction.atomic
def import_fhir_bundle(
    *,
    practice: Practice,
    raw: bytes,
    file_name: str,
    tin: str = "",
    npi: str = "",
    user=None,
) -> ImportOutcome:
    """Validate and store one FHIR R4 Bundle for `practice`.

    `tin`/`npi` attribute encounters that name no clinician or billing organization.
    A bundle with the same Bundle.id (else the same file name) as an earlier import
    replaces that import's facts. Raises FhirError (nothing stored) when invalid.
    """
    parsed: ParsedBundle = parse_bundle(
        load_strict_json(raw, file_name), default_tin=tin, default_npi=npi
    )
    for rec in parsed.patients.values():
        for row in rec.facts:
            if problem := fact_row_problem(row):
                raise FhirError(f"{row['kind']} {row.get('resource_id') or ''}: {problem}")
    if len(parsed.source_key) > SOURCE_KEY_MAX:
        # Stored cut short, it would never match the next upload: replace-on-reupload
        # would silently turn into a second active import.
        raise FhirError(
            f"Bundle.id is {len(parsed.source_key)} characters long; at most "
            f"{SOURCE_KEY_MAX} (FHIR ids have at most 64)."
        )
    source_key = parsed.source_key or file_name[:SOURCE_KEY_MAX]
    replaced = (
        DataImport.objects.filter(
            practice=practice,
            kind=FactSource.FHIR,
            source_key=source_key,
            status=DataImport.Status.IMPORTED,
        )
        .order_by("-created_at")
        .first()
    )
    if replaced is not None:
        replaced.facts.all().delete()
        replaced.status = DataImport.Status.REPLACED
        replaced.save(update_fields=["status", "updated_at"])
    data_import = DataImport.objects.create(
        practice=practice,
        kind=FactSource.FHIR,
        source_key=source_key,
        file_name=file_name[:255],
        sha256=hashlib.sha256(raw).hexdigest(),
        tin=tin,
        npi=npi,
        imported_by=user,
        patient_count=len(parsed.patients),
        fact_count=parsed.fact_count,
    )
    existing = {
        p.source_id: p
        for p in Patient.objects.filter(
            practice=practice, source=FactSource.FHIR, source_id__in=list(parsed.patients)
        )
    }
    facts: list[ClinicalFact] = []
    for source_id, rec in parsed.patients.items():
        patient = existing.get(source_id) or Patient(
            practice=practice, source=FactSource.FHIR, source_id=source_id
        )
        # Demographics follow the latest file; test-patient and active flags stay as set.
        for attr in ("mrn", "given_name", "family_name", "birth_date", "sex", "deceased",
                     "deceased_at"):  # fmt: skip
            setattr(patient, attr, getattr(rec, attr))
        patient.race_code, patient.race_codes = rec.race_code, rec.race_codes
        patient.ethnicity_code = rec.ethnicity_code
        patient.data_import = data_import
        patient.save()
        for row in rec.facts:
            facts.append(
                ClinicalFact(
                    practice=practice,
                    patient=patient,
                    source=FactSource.FHIR,
                    data_import=data_import,
                    **{k: v for k, v in row.items() if k in FACT_FIELDS},
                )
            )
    ClinicalFact.objects.bulk_create(facts, batch_size=2000)
    record(
        practice=practice,
        actor=user,
        action="mips.fhir_import",
        obj=data_import,
        summary=f"FHIR import {file_name}: {len(parsed.patients)} patients, {len(facts)} facts",
        replaced=str(replaced.public_id) if replaced else None,
    )
    return ImportOutcome(data_import, replaced, len(parsed.patients), len(facts))


@transaction.atomic
def withdraw_import(*, data_import: DataImport, user=None) -> int:
    """Delete the facts an import contributed (the patients stay). Returns facts removed."""
    removed, _ = data_import.facts.all().delete()
    data_import.status = DataImport.Status.WITHDRAWN
    data_import.withdrawn_at = timezone.now()
    data_import.save(update_fields=["status", "withdrawn_at", "updated_at"])
    record(
        practice=data_import.practice,
        actor=user,
        action="mips.import_withdrawn",
        obj=data_import,
        summary=f"Withdrew import {data_import.file_name} ({removed} facts)",
    )
    return removed
