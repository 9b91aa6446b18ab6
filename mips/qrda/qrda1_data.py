"""QRDA I export from the stored facts: one document per patient, a zip per TIN/NPI.

A TIN/NPI's patients are the non-test patients with an encounter billed under the TIN by
the NPI in the year. Each file carries the patient's whole record except encounters of
other clinicians (those go into their own TIN/NPI's files), because the importer
attributes every encounter of a file to the file's performer.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from practices.models import MedicalGroup, Practice

from ..models import ClinicalFact, Patient
from .identifiers import qrda1_measure_references
from .qrda1_write import ExportPatient, Qrda1Export, build_qrda1, qrda1_bytes


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    return start, start.replace(year=year + 1)


def patients_for(practice: Practice, *, year: int, tin: str, npi: str):
    """The TIN/NPI's patients for `year` (see module docstring), by name."""
    start, end = _year_bounds(year)
    seen = ClinicalFact.objects.filter(
        practice=practice, kind="encounter", billing_tin=tin, rendering_npi=npi,
        start_at__gte=start, start_at__lt=end,
    ).values("patient_id")  # fmt: skip
    return Patient.objects.filter(practice=practice, is_test=False, pk__in=seen)


def _patient_root(practice: Practice) -> str:
    # The practice's public id as the patient-id namespace: re-exports of the same patient
    # carry the same id, so re-importing them replaces rather than duplicates.
    return str(practice.public_id)


def export_patients(
    practice: Practice, patients, *, year: int, tin: str, npi: str, cehrt_id: str
) -> list[tuple[Patient, Qrda1Export]]:
    """Build the QRDA I of each patient (two queries for the facts of all of them)."""
    patients = list(patients)
    by_patient: dict[int, list[ClinicalFact]] = defaultdict(list)
    facts = ClinicalFact.objects.filter(practice=practice, patient__in=patients).filter(
        ~Q(kind="encounter")
        | Q(billing_tin=tin, rendering_npi=npi)
        | Q(billing_tin="", rendering_npi="")
    )
    for fact in facts.order_by("patient_id", "kind", "resource_id", "id"):
        by_patient[fact.patient_id].append(fact)
    group = MedicalGroup.objects.filter(practice=practice, tin=tin).first()
    organization = group.name if group else practice.name
    address = None
    if group is not None:
        street = ", ".join(x for x in (group.address_line1, group.address_line2) if x)
        address = {"streetAddressLine": street, "city": group.city, "state": group.state,
                   "postalCode": group.zip_code}  # fmt: skip
    now, root = timezone.now(), _patient_root(practice)
    measures = qrda1_measure_references(year)
    out = []
    for patient in patients:
        export = build_qrda1(
            ExportPatient(
                source_id=patient.source_id, given_name=patient.given_name,
                family_name=patient.family_name, birth_date=patient.birth_date, sex=patient.sex,
                deceased=patient.deceased, deceased_at=patient.deceased_at,
                race_code=patient.race_code, race_codes=patient.races,
                ethnicity_code=patient.ethnicity_code,
            ),
            by_patient.get(patient.pk, []), year=year, tin=tin, npi=npi,
            organization=organization, cehrt_id=cehrt_id, measures=measures, author_time=now,
            patient_root=root, address=address,
        )  # fmt: skip
        out.append((patient, export))
    return out


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40] or "patient"


def export_file_name(n: int, patient: Patient) -> str:
    """The file name of the n-th patient's QRDA I (the zip and export_qrda1 share it)."""
    return f"{n:04d}_{_safe(patient.display_name)}_{patient.public_id}.xml"


def empty_reason(*, year: int, tin: str, npi: str) -> str:
    return (
        f"No QRDA I files for TIN {tin} / NPI {npi} in {year}: no patient has an encounter "
        f"billed under that TIN by that clinician in {year}."
    )


def qrda1_zip(practice: Practice, *, year: int, tin: str, npi: str, cehrt_id: str) -> bytes:
    """A zip of one QRDA I file per patient of the TIN/NPI for `year` (b"" when there is
    no patient: an empty zip is not offered, `empty_reason` says why)."""
    patients = patients_for(practice, year=year, tin=tin, npi=npi).order_by(
        "family_name", "given_name", "id"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (patient, export) in enumerate(
            export_patients(practice, patients, year=year, tin=tin, npi=npi, cehrt_id=cehrt_id),
            start=1,
        ):
            archive.writestr(export_file_name(n, patient), qrda1_bytes(export))
    return buffer.getvalue() if archive.namelist() else b""
