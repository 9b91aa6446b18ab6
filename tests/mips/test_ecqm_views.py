"""eCQM Data page, drill-down, upload, withdrawal and Test Patients Identification."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.queue import EnqueueFailed
from mips.ecqm.engine import calculate
from mips.models import DataImport, Patient
from practices.models import AuditEvent
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

from .factories import PatientFactory, bundle, diabetic_patient, fhir_condition, fhir_encounter

DATA = reverse("mips:ecqm-data")
TEST_PATIENTS = reverse("mips:test-patients")


@pytest.fixture
def tin_npi(practice):
    group = MedicalGroupFactory(practice=practice, tin="333444555")
    return TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)


@pytest.fixture
def results(practice, tin_npi, valuesets):
    good = diabetic_patient(practice, tin_npi, hba1c="6.0", family_name="Goodman")
    poor = diabetic_patient(practice, tin_npi, hba1c="11.0", family_name="Poorman")
    test = diabetic_patient(practice, tin_npi, hba1c="11.0", family_name="Testcase", is_test=True)
    calculate(practice, 2025)
    return good, poor, test


def drill(tin_npi, population, cms="CMS122"):
    url = reverse("mips:ecqm-patients", args=[2025, cms, "clinician", tin_npi.public_id])
    return f"{url}?population={population}"


def test_ecqm_data_page_shows_entities(qm_client, results, tin_npi):
    response = qm_client.get(DATA + "?year=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert "TIN XXXXX4555 / NPI" in body and "TIN XXXXX4555 (group)" in body
    assert "333444555" not in body  # one TIN rule: masked where nobody types it
    assert "HTTP 286" not in body  # the upload fragment's template comment stays hidden
    assert "1 test patient excluded" in body
    assert "50.00%" in body  # CMS122: 1 of 2 poorly controlled


def test_ecqm_data_empty_state(qm_client, valuesets):
    response = qm_client.get(DATA)
    assert "No quality data for" in response.content.decode()


def test_drill_down_lists_population_without_test_patients(qm_client, results, tin_npi):
    response = qm_client.get(drill(tin_npi, "numer"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Poorman" in body and "Goodman" not in body and "Testcase" not in body
    body = qm_client.get(drill(tin_npi, "not_met")).content.decode()
    assert "Goodman" in body and "Poorman" not in body


def test_drill_down_query_count_is_constant(
    qm_client, results, tin_npi, practice, django_assert_max_num_queries
):
    for _ in range(10):
        diabetic_patient(practice, tin_npi, hba1c="12.0")
    calculate(practice, 2025, measures=["CMS122"])
    with django_assert_max_num_queries(14):
        assert qm_client.get(drill(tin_npi, "denom")).status_code == 200


def test_clinician_can_view_billing_cannot(clinician_client, billing_client, results, tin_npi):
    assert clinician_client.get(DATA).status_code == 200
    assert billing_client.get(DATA).status_code == 403
    assert billing_client.get(drill(tin_npi, "ipp")).status_code == 403
    assert billing_client.get(TEST_PATIENTS).status_code == 403


def test_outsider_gets_404_for_other_practice_objects(outsider_client, results, tin_npi, practice):
    assert outsider_client.get(drill(tin_npi, "ipp")).status_code == 404
    patient = Patient.objects.filter(practice=practice).first()
    url = reverse("mips:test-patient-toggle", args=[patient.public_id])
    assert outsider_client.post(url, {"is_test": "1"}).status_code == 404
    data_import = DataImport.objects.create(
        practice=practice, kind="fhir", source_key="k", file_name="f.json", sha256="0" * 64
    )
    url = reverse("mips:ecqm-withdraw", args=[data_import.public_id])
    assert outsider_client.post(url).status_code == 404


def test_upload_imports_and_queues_every_ecqm_of_each_year(
    qm_client, practice, tin_npi, quality_manager, valuesets, queued_recalculations
):
    """Not only the six hand-written measures: the job of the Recalculate button (every
    eCQM, the reference engine in the workers) for each year the data can count in."""
    data = bundle("up-1", fhir_encounter("2025-03-01"), fhir_condition("2020-01-01"))
    upload = SimpleUploadedFile("up.json", json.dumps(data).encode(), "application/json")
    response = qm_client.post(
        reverse("mips:ecqm-upload"), {"file": upload, "tin_npi": tin_npi.public_id, "year": 2025}
    )
    assert response.status_code == 302 and "year=2025&queued=" in response.url
    assert queued_recalculations == [
        (practice.pk, 2025, quality_manager.pk), (practice.pk, 2026, quality_manager.pk)
    ]  # fmt: skip
    page = qm_client.get(response.url).content.decode()
    assert "up.json" in page and "imported: 1 patient(s)" in page
    assert "Recalculation of every 2025 and 2026 eCQM queued." in page
    assert 'data-status="queued"' in page  # the page polls the job's progress
    assert Patient.objects.filter(source_id="up-1").exists()


def test_upload_with_the_job_service_down_keeps_the_import_and_says_so(
    qm_client, practice, tin_npi, valuesets, monkeypatch
):
    def down(*args, **kwargs):
        raise EnqueueFailed("The background job service is unavailable right now")

    monkeypatch.setattr("mips.views.ecqm.enqueue", down)
    data = bundle("up-2", fhir_encounter("2025-03-01"))
    upload = SimpleUploadedFile("up.json", json.dumps(data).encode(), "application/json")
    body = qm_client.post(
        reverse("mips:ecqm-upload"), {"file": upload, "year": 2025}, follow=True
    ).content.decode()
    assert "imported: 1 patient(s)" in body and "background job service is unavailable" in body
    assert Patient.objects.filter(source_id="up-2").exists()


def test_invalid_upload_is_rejected_with_reason(qm_client, practice, valuesets):
    upload = SimpleUploadedFile("bad.json", b'{"resourceType": "Patient"}', "application/json")
    response = qm_client.post(reverse("mips:ecqm-upload"), {"file": upload}, follow=True)
    assert "Bundle rejected, nothing was stored: not a FHIR Bundle" in response.content.decode()
    assert not DataImport.objects.exists()


def test_clinician_cannot_upload_or_withdraw(clinician_client, practice):
    upload = SimpleUploadedFile("x.json", b"{}", "application/json")
    assert clinician_client.post(reverse("mips:ecqm-upload"), {"file": upload}).status_code == 403
    assert clinician_client.post(reverse("mips:ecqm-recalculate")).status_code == 403


def test_withdraw_import(qm_client, practice, tin_npi, valuesets, queued_recalculations):
    data = bundle("w-1", fhir_encounter("2025-03-01"))
    upload = SimpleUploadedFile("w.json", json.dumps(data).encode(), "application/json")
    qm_client.post(reverse("mips:ecqm-upload"), {"file": upload})
    data_import = DataImport.objects.get()
    response = qm_client.post(reverse("mips:ecqm-withdraw", args=[data_import.public_id]))
    assert response.status_code == 302
    data_import.refresh_from_db()
    assert data_import.status == "withdrawn" and not data_import.facts.exists()
    # The upload's recalculations, then the withdrawal's: every eCQM of both years again.
    assert [year for _, year, _ in queued_recalculations] == [2025, 2026, 2025, 2026]


def test_test_patient_search_and_toggle(qm_client, practice, quality_manager):
    patient = PatientFactory(practice=practice, family_name="Zebulon", mrn="A-77")
    PatientFactory(practice=practice, family_name="Quixote")
    body = qm_client.get(TEST_PATIENTS + "?q=zebu").content.decode()
    assert "Zebulon" in body and "Quixote" not in body
    url = reverse("mips:test-patient-toggle", args=[patient.public_id])
    assert qm_client.post(url, {"is_test": "1"}).status_code == 302
    patient.refresh_from_db()
    assert patient.is_test and patient.test_marked_by == quality_manager
    assert patient.test_marked_at is not None
    assert AuditEvent.objects.filter(action="mips.test_patient_marked").exists()
    body = qm_client.get(TEST_PATIENTS + "?show=test").content.decode()
    assert "Zebulon" in body and "Quixote" not in body
    qm_client.post(url, {"is_test": "0"}, headers={"HX-Request": "true"})
    patient.refresh_from_db()
    assert not patient.is_test


def test_marking_a_test_patient_recalculates_the_results(
    qm_client, results, tin_npi, django_capture_on_commit_callbacks
):
    from mips.models import MeasureResult

    def numerator():
        return MeasureResult.objects.get(
            year=2025, cms_id="CMS122", npi=tin_npi.provider.npi, group_index=0, stratum=0
        ).numer

    assert numerator() == 1
    poor = results[1]
    url = reverse("mips:test-patient-toggle", args=[poor.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        qm_client.post(url, {"is_test": "1"})
    assert numerator() == 0


def test_test_patients_empty_state(qm_client):
    assert "No patients match" in qm_client.get(TEST_PATIENTS).content.decode()


def _ia_under_automatic_euc(tin_npi, user, categories=("quality", "ia")):
    """CMS automatic EUC on Quality and IA with IA attested: Quality data from an import is the
    second category of data, which voids it (SCORING.md 5; exceptions.rules rule 3)."""
    from tests.mips.score_helpers import eligibility

    eligibility(tin_npi, year=2025, euc=True, euc_categories=list(categories))
    _attest_ia(tin_npi, user)


def _attest_ia(tin_npi, user):
    import datetime as dt

    from mips import attestations as svc

    svc.attest_ia(
        year=2025, activity_id="IA_BE_1", start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 6, 30), user=user, tin_npi=tin_npi, recalculate=False,
    )  # fmt: skip


def test_import_warns_whose_automatic_euc_it_voids(qm_client, practice, tin_npi, quality_manager):
    """Issue 14 item 4: an eCQM import adds Quality data; a clinician under CMS's automatic
    EUC who already has IA data would then have two categories of data, which voids the
    automatic EUC for the categories with data (exceptions.rules). Said before the upload.
    Incomplete PI (the SRA alone) is no PI data for that rule (SCORING.md 1.1 [C: S18])."""
    from mips import attestations as svc
    from tests.mips.score_helpers import eligibility

    eligibility(tin_npi, year=2025, euc=True, euc_categories=["quality", "pi", "ia"])
    svc.attest_pi(
        year=2025, measure_id="PI_PPHI_1", value=True, user=quality_manager, tin_npi=tin_npi,
        recalculate=False,
    )  # fmt: skip
    assert "euc-warning" not in qm_client.get(DATA + "?year=2025").content.decode()
    _attest_ia(tin_npi, quality_manager)
    body = qm_client.get(DATA + "?year=2025").content.decode()
    assert "Importing eCQM data:" in body and "automatic EUC exception for IA" in body
    assert 'name="confirm_void"' in body


def test_import_that_voids_an_exception_needs_the_confirmation(
    qm_client, practice, tin_npi, quality_manager, valuesets, queued_recalculations
):
    """Issue 14 item 4: without the ticked confirmation the upload stores nothing and says
    which exception it would void; with it the import goes ahead."""
    _ia_under_automatic_euc(tin_npi, quality_manager)
    data = bundle("void-1", fhir_encounter("2025-03-01"), fhir_condition("2020-01-01"))

    def post(**extra):
        upload = SimpleUploadedFile("v.json", json.dumps(data).encode(), "application/json")
        form = {"file": upload, "tin_npi": tin_npi.public_id, "year": 2025, **extra}
        return qm_client.post(reverse("mips:ecqm-upload"), form, follow=True)

    body = post().content.decode()
    assert "Nothing was imported" in body and "automatic EUC exception for IA" in body
    assert not DataImport.objects.exists() and not Patient.objects.exists()
    assert "imported: 1 patient(s)" in post(confirm_void="1").content.decode()
    assert Patient.objects.filter(source_id="void-1").exists()


def test_qrda_import_that_voids_an_exception_needs_the_confirmation(
    qm_client, practice, tin_npi, quality_manager
):
    from mips.models import QrdaImportBatch

    _ia_under_automatic_euc(tin_npi, quality_manager)
    upload = SimpleUploadedFile("p.xml", b"<ClinicalDocument/>", "text/xml")
    r = qm_client.post(
        reverse("mips:qrda-upload"),
        {"files": [upload], "year": 2025},
        headers={"HX-Request": "true"},
    )
    assert "Nothing was imported" in r.content.decode()
    assert not QrdaImportBatch.objects.exists()
