"""Store QRDA I files as DataImports with their patient and clinical facts.

A file is identified across re-imports by its patient and reporting period: importing a
file for the same patient and period again (a corrected export from the previous EHR)
replaces the earlier import's facts. Aggregation is only allowed for the same TIN, so a
TIN named in the file must be one of the practice's; a file without one uses the TIN the
user chose.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction

from practices.models import MedicalGroup, Practice, TinNpi
from practices.services import record
from practices.validators import npi_is_valid

from ..ecqm.reference import content
from ..ecqm.valuesets import YEARS, index
from ..fact_rows import FACT_FIELDS, fact_row_problem
from ..models import ClinicalFact, DataImport, FactSource, Patient
from . import validation
from .qrda1_read import Qrda1Document, QrdaError, read_qrda1
from .safe_xml import UnsafeXmlError, parse_xml


@dataclass
class Qrda1Outcome:
    file_name: str
    ok: bool
    message: str
    data_import: DataImport | None = None
    replaced: bool = False
    facts: int = 0
    warnings: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)


@lru_cache(maxsize=1)
def _value_set_members() -> dict[str, tuple[str, str]]:
    """Value-set OID -> one member code, for "not done" elements that name only the value
    set. Sorted so the choice is stable."""
    members: dict[str, tuple[str, str]] = {}
    for year in YEARS:
        for oid, pairs in index(year).codes.items():
            if pairs and oid not in members:
                members[oid] = sorted(pairs)[0]
    # Every other eCQM's value sets too, so their "not done" elements are kept.
    for oid, pairs in content.all_valueset_codes().items():
        if pairs and oid not in members:
            members[oid] = sorted(pairs)[0]
    return members


def check_document(raw: bytes, *, file_name: str, schematron: bool = True) -> Qrda1Document:
    """Parse safely, validate (XSD + HL7 QRDA I STU 5.3 schematron when available, then
    the importer's own checks) and map one file. Raises QrdaError / UnsafeXmlError."""
    tree = parse_xml(raw, name=file_name)
    if validation.available("qrda1"):
        problems = validation.xsd_problems(tree)
        if not problems and schematron:
            problems = validation.schematron_problems(tree, "qrda1")
        if problems:
            raise QrdaError(
                f"{file_name}: fails QRDA I validation:\n{validation.summary(problems)}"
            )
    members = _value_set_members()
    doc = read_qrda1(tree, name=file_name, value_set_codes=members.get)
    for row in doc.facts:
        if problem := fact_row_problem(row):
            raise QrdaError(f"{file_name}: {row['kind']} {row.get('code', '')}: {problem}")
    return doc


def _attribution(
    practice: Practice, doc: Qrda1Document, *, tin: str, npi: str, file_name: str
) -> tuple[str, str, list[str]]:
    warnings: list[str] = []
    tins = set(MedicalGroup.objects.filter(practice=practice).values_list("tin", flat=True))
    file_tin = doc.tin
    if file_tin and file_tin.isdigit() and len(file_tin) == 9:
        if file_tin not in tins:
            raise QrdaError(
                f"{file_name}: TIN {file_tin} in the file is not one of this practice's TINs; "
                "QRDA I data can only be aggregated for the same TIN"
            )
        use_tin = file_tin
    else:
        if file_tin:
            warnings.append(f"the file's TIN {file_tin!r} is not a 9-digit TIN and was ignored")
        if not tin:
            raise QrdaError(
                f"{file_name}: the file names no TIN; choose the TIN to import it under"
            )
        if tin not in tins:
            raise QrdaError(f"{file_name}: TIN {tin} is not one of this practice's TINs")
        use_tin = tin
    file_npi = doc.npi
    if file_npi and file_npi.isdigit() and len(file_npi) == 10 and npi_is_valid(file_npi):
        use_npi = file_npi
    else:
        if file_npi:
            warnings.append(f"the file's NPI {file_npi!r} is not a valid NPI and was ignored")
        use_npi = npi
    if (
        use_npi
        and not TinNpi.objects.filter(
            practice=practice, medical_group__tin=use_tin, provider__npi=use_npi
        ).exists()
    ):
        warnings.append(f"NPI {use_npi} is not a clinician of TIN {use_tin} in this practice")
    return use_tin, use_npi, warnings


@transaction.atomic
def import_qrda1_file(
    *,
    practice: Practice,
    raw: bytes,
    file_name: str,
    tin: str = "",
    npi: str = "",
    user=None,
    schematron: bool = True,
) -> Qrda1Outcome:
    """Validate and store one QRDA I file; never raises for a bad file: the outcome says
    why it was rejected, and nothing of it is stored."""
    try:
        doc = check_document(raw, file_name=file_name, schematron=schematron)
        use_tin, use_npi, warnings = _attribution(
            practice, doc, tin=tin, npi=npi, file_name=file_name
        )
    except (QrdaError, UnsafeXmlError) as exc:
        return Qrda1Outcome(file_name=file_name, ok=False, message=str(exc))
    warnings = doc.warnings + warnings
    source_id = doc.patient.source_id
    source_key = (f"{source_id}|{doc.period_start:%Y%m%d}-{doc.period_end:%Y%m%d}")[:255]
    replaced = (
        DataImport.objects.filter(
            practice=practice, kind=FactSource.QRDA, source_key=source_key,
            status=DataImport.Status.IMPORTED,
        )
        .order_by("-created_at")
        .first()
    )  # fmt: skip
    if replaced is not None:
        replaced.facts.all().delete()
        replaced.status = DataImport.Status.REPLACED
        replaced.save(update_fields=["status", "updated_at"])
    data_import = DataImport.objects.create(
        practice=practice, kind=FactSource.QRDA, source_key=source_key,
        file_name=file_name[-255:], sha256=hashlib.sha256(raw).hexdigest(),
        tin=use_tin, npi=use_npi, imported_by=user, patient_count=1, fact_count=len(doc.facts),
    )  # fmt: skip
    patient = Patient.objects.filter(
        practice=practice, source=FactSource.QRDA, source_id=source_id
    ).first() or Patient(practice=practice, source=FactSource.QRDA, source_id=source_id)
    for attr in (
        "mrn", "given_name", "family_name", "birth_date", "sex", "race_code",
        "race_codes", "ethnicity_code", "payer_code", "deceased", "deceased_at",
    ):  # fmt: skip
        setattr(patient, attr, getattr(doc.patient, attr))
    patient.data_import = data_import
    patient.save()
    facts = []
    for row in doc.facts:
        fact = ClinicalFact(
            practice=practice, patient=patient, source=FactSource.QRDA, data_import=data_import,
            **{k: v for k, v in row.items() if k in FACT_FIELDS},
        )  # fmt: skip
        # Encounters carry the attribution the engine reads; the file's performer (or the
        # chosen TIN/NPI) stands for every encounter, as QRDA I names no per-visit clinician.
        fact.billing_tin = fact.billing_tin or use_tin
        fact.rendering_npi = fact.rendering_npi or use_npi
        facts.append(fact)
    ClinicalFact.objects.bulk_create(facts, batch_size=2000)
    ignored = ", ".join(f"{n} {name}" for name, n in sorted(doc.ignored.items()))
    if ignored:
        warnings.append(f"not used by the measures and skipped: {ignored}")
    record(
        practice=practice, actor=user, action="mips.qrda1_import", obj=data_import,
        summary=f"QRDA I import {file_name}: 1 patient, {len(facts)} facts",
        replaced=str(replaced.public_id) if replaced else None, warnings=warnings,
    )  # fmt: skip
    years = set(range(doc.period_start.year, doc.period_end.year + 1)) & set(YEARS)
    verb = "replaced an earlier import" if replaced else "imported"
    return Qrda1Outcome(
        file_name=file_name, ok=True, data_import=data_import, replaced=replaced is not None,
        facts=len(facts), warnings=warnings, years=years,
        message=f"{file_name}: {verb}; patient {source_id}, {len(facts)} facts",
    )  # fmt: skip
