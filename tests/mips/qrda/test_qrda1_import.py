from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mips.models import ClinicalFact, DataImport, Patient
from mips.qrda import validation
from mips.qrda.importer import import_qrda1_file
from practices.models import MedicalGroup
from tests.factories import MedicalGroupFactory, PracticeFactory, ProviderFactory, TinNpiFactory

needs_schemas = pytest.mark.skipif(not validation.available("qrda1"), reason="no QRDA schemas")

pytestmark = [pytest.mark.django_db, needs_schemas]

VALID_TINS = {"good_cat1_single_encounter.xml": "679235746", "import_warnings.xml": "656445725"}


@pytest.fixture
def groups(practice):
    for tin in [*VALID_TINS.values(), "123456789"]:
        MedicalGroupFactory(practice=practice, tin=tin, name=f"Group {tin}")


def _import(practice, samples, name, **kw):
    folder = "valid_qrda1" if (samples / "valid_qrda1" / name).exists() else "invalid_qrda1"
    raw = (samples / folder / name).read_bytes()
    return import_qrda1_file(practice=practice, raw=raw, file_name=name, **kw)


@pytest.mark.parametrize(
    "name",
    ["good_cat1_single_encounter.xml", "import_warnings.xml", "sample_patient_good.xml",
     "sample_patient_no_tin.xml"],
)  # fmt: skip
def test_every_shared_valid_sample_imports(practice, groups, samples, name):
    outcome = _import(practice, samples, name, tin="123456789")
    assert outcome.ok, outcome.message
    data_import = outcome.data_import
    assert data_import.kind == "qrda" and data_import.tin == VALID_TINS.get(name, "123456789")
    patient = Patient.objects.get(practice=practice, data_import=data_import)
    assert patient.birth_date is not None
    facts = ClinicalFact.objects.filter(data_import=data_import)
    assert facts.count() == outcome.facts > 0
    assert all(f.billing_tin == data_import.tin for f in facts)


def test_sample_maps_codes_and_times(practice, groups, samples):
    outcome = _import(practice, samples, "sample_patient_good.xml", tin="123456789")
    patient = Patient.objects.get(data_import=outcome.data_import)
    assert (patient.given_name, patient.family_name, patient.sex) == ("Dental_Peds", "A", "M")
    assert patient.source_id == "2.16.840.1.113883.4.572:12345"
    encounter = ClinicalFact.objects.get(data_import=outcome.data_import, kind="encounter")
    assert (encounter.system, encounter.code, encounter.status) == (
        "http://snomed.info/sct", "60", "finished",
    )  # fmt: skip
    assert encounter.start_at.isoformat() == "2017-05-03T00:00:00+00:00"
    # The file's TIN is 10 digits (not a TIN): ignored with a warning, chosen TIN used.
    assert any("not a 9-digit TIN" in w for w in outcome.warnings)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("sample_patient_bad_schema.xml", 'realmCode="US"'),
        ("sample_patient_no_result.xml", "fails QRDA I validation"),
    ],
)
def test_every_shared_invalid_sample_is_rejected_with_reason(
    practice, groups, samples, name, reason
):
    outcome = _import(practice, samples, name, tin="123456789")
    assert not outcome.ok
    assert reason in outcome.message and name in outcome.message
    assert not DataImport.objects.filter(practice=practice).exists()
    assert not Patient.objects.filter(practice=practice).exists()


def test_tin_of_another_organization_is_refused(practice, samples):
    MedicalGroupFactory(practice=practice, tin="123456789")
    outcome = _import(practice, samples, "good_cat1_single_encounter.xml", tin="123456789")
    assert not outcome.ok
    assert "TIN 679235746 in the file is not one of this practice's TINs" in outcome.message


def test_file_without_tin_needs_a_chosen_tin(practice, groups, samples):
    outcome = _import(practice, samples, "sample_patient_no_tin.xml")
    assert not outcome.ok and "names no TIN" in outcome.message


def test_reimport_replaces_the_files_facts(practice, groups, samples):
    first = _import(practice, samples, "good_cat1_single_encounter.xml")
    again = _import(practice, samples, "good_cat1_single_encounter.xml")
    assert again.ok and again.replaced
    first.data_import.refresh_from_db()
    assert first.data_import.status == DataImport.Status.REPLACED
    assert not ClinicalFact.objects.filter(data_import=first.data_import).exists()
    assert ClinicalFact.objects.filter(practice=practice).count() == again.facts
    assert Patient.objects.filter(practice=practice).count() == 1


def test_not_a_qrda_document(practice, groups):
    raw = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>'
    outcome = import_qrda1_file(practice=practice, raw=raw, file_name="x.xml", tin="123456789")
    assert not outcome.ok and "fails QRDA I validation" in outcome.message


def test_command_imports_valid_and_reports_rejected(practice, groups, samples, capsys):
    provider = ProviderFactory(practice=practice)
    TinNpiFactory(
        provider=provider,
        medical_group=MedicalGroup.objects.get(practice=practice, tin="123456789"),
    )
    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import_qrda1", "--practice", practice.slug, "--tin", "123456789",
            "--no-recalculate", str(samples / "valid_qrda1" / "sample_patient_no_tin.xml"),
            str(samples / "invalid_qrda1" / "sample_patient_bad_schema.xml"),
        )  # fmt: skip
    out, err = capsys.readouterr()
    assert "1 file(s) imported, 1 rejected" in out
    assert "rejected: sample_patient_bad_schema.xml" in err
    assert DataImport.objects.filter(practice=practice, kind="qrda").count() == 1


def _exported_hba1c_file(practice, tin_npi, value: str) -> bytes:
    from mips.qrda.qrda1_data import export_patients
    from mips.qrda.qrda1_write import qrda1_bytes
    from tests.mips.factories import diabetic_patient

    patient = diabetic_patient(practice, tin_npi, hba1c="9.5")
    [(_, export)] = export_patients(
        practice, [patient], year=2025, tin=tin_npi.tin, npi=tin_npi.npi,
        cehrt_id="0015C0000000000",
    )  # fmt: skip
    raw = qrda1_bytes(export)
    assert b'value="9.5' in raw
    return raw.replace(b'value="9.5000"', value.encode()).replace(b'value="9.5"', value.encode())


def test_result_value_beyond_the_column_is_rejected_not_a_crash(practice, tin_npi, valuesets):
    """Found in review: such a value reached the database (DataError), which would fail the
    whole upload batch instead of rejecting this one file."""
    raw = _exported_hba1c_file(practice, tin_npi, 'value="1E+30"')
    other = PracticeFactory()
    MedicalGroupFactory(practice=other, tin=tin_npi.tin)
    outcome = import_qrda1_file(practice=other, raw=raw, file_name="big.xml", schematron=False)
    assert not outcome.ok
    assert "value_num" in outcome.message and "out of range" in outcome.message
    assert not DataImport.objects.filter(practice=other).exists()
    assert not Patient.objects.filter(practice=other).exists()
