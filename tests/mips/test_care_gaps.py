"""Care-gap worklists and the patient page (issue 20 item 4).

CMS's performance rate is Performance Met / (Denominator - Exclusions - Exceptions)
(QPP "Quality Measure Specifications", eCQM performance rate; Technical Release Notes of
each eCQM): a direct measure's gap is a denominator patient who is not met, not excluded
and without an exception; an inverse measure's (qpp-measures-data isInverse, 001/CMS122)
is a numerator patient, again not excluded and without an exception."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from mips.ecqm.care_gaps import gap_patients
from mips.ecqm.engine import calculate
from mips.models import EcqmRun, MeasureAttribution, MeasureResult, Patient, PatientPopulation
from mips.views import care_gaps as views
from tests.mips.score_helpers import enroll
from tests.mips.test_ecqm_decks import DISPUTED
from tests.shared_data import ecqm_testdecks

from .factories import (
    CPT,
    HBA1C,
    HYPERTENSION,
    LOINC,
    OFFICE_VISIT,
    PatientFactory,
    add_fact,
    at,
    diabetic_patient,
    import_deck,
)

pytestmark = pytest.mark.django_db
YEAR = 2025
Q = f"?year={YEAR}"
DECKS = ecqm_testdecks()


def gaps_url(kind, public_id, measure="CMS122", extra=""):
    return reverse("mips:care-gaps", args=[kind, public_id]) + f"{Q}&measure={measure}{extra}"


def csv_url(kind, public_id, measure="CMS122", extra=""):
    return reverse("mips:care-gaps-csv", args=[kind, public_id]) + f"{Q}&measure={measure}{extra}"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


# ------------------------------------------------------------------ test decks


@pytest.mark.skipif(not DECKS.is_dir(), reason="shared test decks not available")
@pytest.mark.parametrize("cms_id,inverse", [("CMS165", False), ("CMS122", True)])
def test_worklist_is_denominator_minus_numerator_on_the_deck(practice, valuesets, cms_id, inverse):
    """The deck's expected populations (not our engine's) decide who is a gap."""
    deck = DECKS / cms_id / f"py{YEAR}"
    tn = import_deck(practice, deck)
    calculate(practice, YEAR, measures=[cms_id])
    expected = set()
    for row in csv.DictReader((deck / "expected_results.csv").open()):
        flag = {p: int(row[p] or 0) for p in ("DENOM", "DENEX", "NUMER", "DENEXCEP")}
        # A disputed deck expectation counts as the measure logic reads it (test_ecqm_decks).
        disputed = DISPUTED.get((f"{cms_id}/py{YEAR}", row["patient_id"], 0))
        if disputed:
            flag.update(disputed[1])
        counted = flag["DENOM"] and not flag["DENEX"] and not flag["DENEXCEP"]
        if counted and flag["NUMER"] == int(inverse):
            expected.add(row["patient_id"])
    assert expected, "the deck has gap patients"
    for npi in (tn.npi, ""):  # the clinician's worklist and the TIN's
        rows = gap_patients(
            practice, YEAR, cms_id, tin=tn.tin, npi=npi, group_index=0, inverse=inverse
        )
        assert {r.patient.source_id for r in rows} == expected


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def patients(practice, own, colleague, valuesets):
    found = {
        "high": diabetic_patient(practice, own, hba1c="10.2", family_name="Ahigh"),
        "none": diabetic_patient(practice, own, hba1c=None, family_name="Bnone"),
        "good": diabetic_patient(practice, own, hba1c="7.0", family_name="Cgood"),
        "other": diabetic_patient(practice, colleague, hba1c="11.0", family_name="Dother"),
        "test": diabetic_patient(practice, own, hba1c="12.0", family_name="Etest", is_test=True),
    }
    calculate(practice, YEAR)
    return found


def names(response) -> list[str]:
    return [r.patient.family_name for r in response.context["page"]]


# ------------------------------------------------------------------ worklist


def test_inverse_worklist_lists_the_poor_outcomes_with_reasons(qm_client, own, patients):
    r = qm_client.get(gaps_url("clinician", own.public_id))
    assert r.status_code == 200
    assert names(r) == ["Ahigh", "Bnone"]  # 7.0% is met; the test patient never appears
    reasons = {row.patient.family_name: row.reason.missing for row in r.context["page"]}
    assert reasons["Ahigh"] == "Last HbA1c 10.2% on 1 Jun 2025 (above 9%)"
    assert reasons["Bnone"].startswith("No HbA1c or GMI result this year")
    body = r.content.decode()
    assert "lower is better" in body and "Etest" not in body
    assert "9.0% or less" in body  # what closes the gap
    # The last visit billed to the clinician.
    assert {row.last_visit.date().isoformat() for row in r.context["page"]} == {"2025-03-01"}


def test_a_new_result_closes_the_gap(qm_client, practice, own, patients):
    add_fact(
        patients["high"],
        "observation",
        HBA1C,
        status="final",
        category="laboratory",
        start_at=at("2025-09-01"),
        end_at=at("2025-09-01"),
        value_num="6.5",
        value_unit="%",
    )
    calculate(practice, YEAR)
    assert names(qm_client.get(gaps_url("clinician", own.public_id))) == ["Bnone"]


def bp(patient, day: str, systolic: str, diastolic: str, encounter_ref: str = "") -> None:
    for code, value in (("8480-6", systolic), ("8462-4", diastolic)):
        add_fact(patient, "observation", (LOINC, code), status="final", category="vital-signs",
                 start_at=at(day), end_at=at(day), value_num=value, value_unit="mm[Hg]",
                 encounter_ref=encounter_ref)  # fmt: skip


@pytest.mark.parametrize("year", [2025, 2026])
def test_blood_pressure_reason_quotes_the_reading_the_measure_used(qm_client, practice, own, year):
    """CMS165 leaves out readings taken in an emergency or inpatient setting: PY2025
    (CMS165FHIR 0.1.000) by the reading's encounter class (EMER, IMP, ACUTE, NONAC, PRENC,
    SS), PY2026 (CMS165v14) by time overlap with an ED visit or inpatient encounter. The
    reason names the last outpatient reading, 142/91, not the later ED one."""
    patient = PatientFactory(practice=practice, birth_date=dt.date(1960, 1, 1), family_name="Bp")
    visit = f"{year}-03-03"
    add_fact(patient, "encounter", OFFICE_VISIT, status="finished", start_at=at(visit),
             end_at=at(visit, 10), billing_tin=own.tin, rendering_npi=own.npi)  # fmt: skip
    add_fact(patient, "condition", HYPERTENSION, clinical_status="active",
             start_at=at("2020-01-01"))  # fmt: skip
    ed = (CPT, "99284")  # an emergency department visit (ED E/M value set)
    add_fact(patient, "encounter", ed, status="finished", encounter_class="EMER", resource_id="ed",
             start_at=at(f"{year}-10-05"), end_at=at(f"{year}-10-05", 12))  # fmt: skip
    bp(patient, visit, "142", "91")
    bp(patient, f"{year}-10-05", "128", "78", encounter_ref="ed")  # controlled, but in the ED
    calculate(practice, year, measures=["CMS165"])
    url = reverse("mips:care-gaps", args=["clinician", own.public_id])
    r = qm_client.get(f"{url}?year={year}&measure=CMS165")
    [row] = r.context["page"]  # the ED reading does not close the gap
    assert row.reason.missing == (
        f"Last BP 142/91 on 3 Mar {year}; the later reading 128/78 on 5 Oct {year} was taken "
        "in an emergency department or hospital stay and does not count"
    )


def test_htmx_filter_and_sort_return_only_the_worklist(qm_client, own, patients):
    """The worklist's filter form, sort headers and pages swap #worklist (htmx)."""
    r = qm_client.get(
        gaps_url("clinician", own.public_id, extra="&sort=-name"), HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert body.lstrip().startswith('<section class="card" id="worklist"') and "<html" not in body
    assert names(r) == ["Bnone", "Ahigh"] and 'hx-boost="true"' in body


def test_sort_filter_and_group_worklist(qm_client, own, medical_group, patients):
    r = qm_client.get(gaps_url("clinician", own.public_id, extra="&sort=-name"))
    assert names(r) == ["Bnone", "Ahigh"]
    r = qm_client.get(gaps_url("clinician", own.public_id, extra="&q=ahi"))
    assert names(r) == ["Ahigh"]
    r = qm_client.get(gaps_url("clinician", own.public_id, extra="&sort=nonsense"))
    assert r.status_code == 200 and r.context["sort"] == "name"
    # The TIN's worklist holds every clinician's gap patients.
    r = qm_client.get(gaps_url("group", medical_group.public_id, measure="001"))
    assert names(r) == ["Ahigh", "Bnone", "Dother"]
    # A measure the entity has no results for is a 404, not an empty list.
    assert qm_client.get(gaps_url("clinician", own.public_id, "CMS999")).status_code == 404


def test_csv_rows_equal_the_filtered_table(qm_client, own, medical_group, patients, monkeypatch):
    def one_per_page(request, qs):
        return Paginator(qs, 1).get_page(request.GET.get("page"))

    monkeypatch.setattr(views, "paginate", one_per_page)
    for kind, public_id, extra in [
        ("clinician", own.public_id, ""),
        ("group", medical_group.public_id, "&sort=-name"),
        ("group", medical_group.public_id, "&q=o&sort=visit"),
    ]:
        table, page = [], 1
        while True:
            r = qm_client.get(gaps_url(kind, public_id, extra=extra + f"&page={page}"))
            table += [(row.patient.display_name, row.reason.missing) for row in r.context["page"]]
            if not r.context["page"].has_next():
                break
            page += 1
        lines = read_csv(qm_client.get(csv_url(kind, public_id, extra=extra)))
        header = lines[0]
        got = [(line[header.index("Patient")], line[header.index("Missing")]) for line in lines[1:]]
        assert got == table and len(table) >= 1


def test_csv_cells_are_neutralised(qm_client, practice, own, patients):
    Patient.objects.filter(pk=patients["high"].pk).update(family_name="=cmd()", given_name="")
    lines = read_csv(qm_client.get(csv_url("clinician", own.public_id)))
    assert "'=cmd()" in [line[8] for line in lines[1:]]
    assert not any(cell.startswith("=") for line in lines for cell in line)


def test_clinician_sees_only_her_own_worklists(
    clinician_client, own, colleague, medical_group, patients
):
    r = clinician_client.get(gaps_url("clinician", own.public_id))
    assert names(r) == ["Ahigh", "Bnone"]
    for url in (
        gaps_url("clinician", colleague.public_id),
        csv_url("clinician", colleague.public_id),
        gaps_url("group", medical_group.public_id),
        csv_url("group", medical_group.public_id),
    ):
        assert clinician_client.get(url).status_code == 404, url


def test_outsider_and_wrong_role(outsider_client, billing_client, own, medical_group, patients):
    urls = [
        gaps_url("clinician", own.public_id),
        csv_url("clinician", own.public_id),
        gaps_url("group", medical_group.public_id),
        reverse("mips:patient", args=[patients["high"].public_id]),
    ]
    for url in urls:
        assert outsider_client.get(url).status_code == 404, url
        assert billing_client.get(url).status_code == 403, url


def _in_denominator_only(practice, own, patient, cms_id: str, mips_id: str) -> None:
    """`patient` in the denominator of `cms_id` for `own`, not in its numerator."""
    PatientPopulation.objects.create(
        practice=practice, year=YEAR, cms_id=cms_id, patient=patient, ipp=True, denom=True
    )
    MeasureAttribution.objects.create(
        practice=practice, year=YEAR, cms_id=cms_id, patient=patient, tin=own.tin, npi=own.npi
    )
    MeasureResult.objects.create(
        practice=practice, run=EcqmRun.objects.filter(practice=practice, year=YEAR).first(),
        year=YEAR, cms_id=cms_id, mips_id=mips_id, tin=own.tin, npi=own.npi, ipp=1, denom=1,
    )  # fmt: skip


def test_a_reference_engine_measure_names_the_failed_criterion(qm_client, practice, own, patients):
    """Measures the fast engine does not hand-code say which population criterion failed,
    with CMS's numerator description from the measure content."""
    _in_denominator_only(practice, own, patients["good"], "CMS135", "005")
    r = qm_client.get(gaps_url("clinician", own.public_id, "005"))
    [row] = r.context["page"]
    assert "numerator criterion is not met" in row.reason.missing
    assert "ACE inhibitor" in row.reason.close


# ------------------------------------------------------------------ patient page


def test_patient_page_lists_every_measure_and_what_closes_the_gap(qm_client, patients):
    r = qm_client.get(reverse("mips:patient", args=[patients["high"].public_id]) + Q)
    assert r.status_code == 200
    cms122 = next(m for m in r.context["measures"] if m["row"].cms_id == "CMS122")
    assert cms122["gap"] and cms122["inverse"]
    assert cms122["reason"].missing.startswith("Last HbA1c 10.2%")
    good = qm_client.get(reverse("mips:patient", args=[patients["good"].public_id]) + Q)
    cms122 = next(m for m in good.context["measures"] if m["row"].cms_id == "CMS122")
    assert not cms122["gap"] and cms122["reason"] is None
    # A test patient has no page.
    url = reverse("mips:patient", args=[patients["test"].public_id]) + Q
    assert qm_client.get(url).status_code == 404


def test_clinician_opens_only_her_patients(clinician_client, patients):
    own_page = reverse("mips:patient", args=[patients["high"].public_id]) + Q
    assert clinician_client.get(own_page).status_code == 200
    other = reverse("mips:patient", args=[patients["other"].public_id]) + Q
    assert clinician_client.get(other).status_code == 404


# ------------------------------------------------------------------ query counts


def test_worklist_query_count_is_flat_in_practice_size(
    qm_client, practice, own, colleague, patients, django_assert_num_queries
):
    url = gaps_url("clinician", own.public_id)
    qm_client.get(url)  # warm the session and the menu
    # user, memberships with their permissions (the session is read from the cache); the
    # TIN/NPI; the gap counts; count, the page
    # with patients and last visits; the page's candidate facts (reasons)
    with django_assert_num_queries(7):
        qm_client.get(url)
    for i in range(30):
        diabetic_patient(practice, own if i % 2 else colleague, hba1c="11.0")
    calculate(practice, YEAR)
    with django_assert_num_queries(7):
        r = qm_client.get(url)
    assert r.context["page"].paginator.count == 17


def test_pages_link_to_the_worklists_and_the_patient_page(qm_client, own, patients):
    gaps = reverse("mips:care-gaps", args=["clinician", own.public_id])
    body = qm_client.get(reverse("mips:ecqm-data") + Q).content.decode()
    assert f'{gaps}?year={YEAR}"' in body
    enroll(own, ("mips_quality",), year=YEAR)  # the report card lists enrolled categories
    card = qm_client.get(reverse("mips:report-card", args=[own.public_id]) + Q)
    assert f"{gaps}?year={YEAR}&amp;measure=001" in card.content.decode()
    drill = reverse("mips:ecqm-patients", args=[YEAR, "CMS122", "clinician", own.public_id])
    body = qm_client.get(drill + "?population=numer").content.decode()
    assert reverse("mips:patient", args=[patients["high"].public_id]) in body


def test_results_of_a_measure_without_content_still_list_their_gaps(
    qm_client, practice, own, patients
):
    """A result row whose measure the year's content lacks: the page names the failed
    criterion from the flags, never a 500."""
    _in_denominator_only(practice, own, patients["good"], "CMS9999", "999")
    r = qm_client.get(gaps_url("clinician", own.public_id, "999"))
    assert r.status_code == 200
    [row] = r.context["page"]
    assert "numerator criterion is not met" in row.reason.missing
    patient_url = reverse("mips:patient", args=[patients["good"].public_id]) + Q
    assert qm_client.get(patient_url).status_code == 200
