"""Enrollment pages: roles (403), outsiders (404), query budgets, the staff worklist and
the terms prompt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment.models import CaseKind, Enrollment, EnrollmentCase, PracticeFile, TermsAgreement
from enrollment.services.cases import open_case
from enrollment.services.enrollments import add_operator_measures, enroll_tin_npi
from tests.factories import TinNpiFactory, UserFactory

from .conftest import YEAR


@pytest.fixture
def case(practice, tin_npi, programs, quality_manager):
    return open_case(
        practice=practice,
        kind=CaseKind.ENROLL_PROVIDER,
        year=YEAR,
        actor=quality_manager,
        tin_npi=tin_npi,
        target_program=programs["mips_quality"],
    )


@pytest.fixture
def staff_client(db, django_client_class):
    c = django_client_class()
    c.force_login(UserFactory(username="staff@portal.test", is_staff=True))
    return c


def test_program_enrollment_page(
    qm_client, tin_npi, programs, set_status, django_assert_max_num_queries
):
    set_status(tin_npi, "eligible_individual")
    TinNpiFactory(
        provider__practice=tin_npi.practice, medical_group=tin_npi.medical_group
    )  # unknown eligibility
    url = reverse("enrollment:program-enrollment") + f"?year={YEAR}"
    r = qm_client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert "Eligible individual" in body and "Unknown" in body
    assert "no QPP eligibility result" in body
    assert "group reporting is not offered" in body
    # Constant queries however many TIN/NPIs are listed.
    for _ in range(5):
        TinNpiFactory(provider__practice=tin_npi.practice, medical_group=tin_npi.medical_group)
    with django_assert_max_num_queries(16):
        assert qm_client.get(url).status_code == 200


def test_self_enroll_only_eligible_for_submitted_programs(
    qm_client, tin_npi, programs, set_status, medical_group
):
    set_status(tin_npi, "eligible_individual")
    unknown = TinNpiFactory(provider__practice=medical_group.practice, medical_group=medical_group)
    url = reverse("enrollment:enroll")
    r = qm_client.post(
        url,
        {
            "year": YEAR,
            "program": programs["mips_quality"].pk,
            "tin_npis": [tin_npi.pk, unknown.pk],
        },
        follow=True,
    )
    assert r.status_code == 200
    assert Enrollment.objects.filter(tin_npi=tin_npi, program=programs["mips_quality"]).exists()
    assert not Enrollment.objects.filter(tin_npi=unknown).exists()
    assert "eligibility is unknown" in r.content.decode()
    qm_client.post(
        url, {"year": YEAR, "program": programs["mips_quality_nfa"].pk, "tin_npis": [unknown.pk]}
    )
    assert Enrollment.objects.filter(tin_npi=unknown, program=programs["mips_quality_nfa"]).exists()


def test_self_enroll_ignores_other_practice_tin_npi(qm_client, programs, other_practice):
    foreign = TinNpiFactory(provider__practice=other_practice)
    qm_client.post(
        reverse("enrollment:enroll"),
        {"year": YEAR, "program": programs["mips_quality_nfa"].pk, "tin_npis": [foreign.pk]},
    )
    assert not Enrollment.objects.exists()


def test_group_enrollment_needs_two_eligible(qm_client, group_of, programs, set_status):
    group, (a, b) = group_of(2)
    set_status(a, "eligible_individual")
    data = {
        "year": YEAR,
        "medical_group": group.pk,
        "program": programs["mips_quality"].pk,
        "level": "both",
    }
    r = qm_client.post(reverse("enrollment:enroll-group"), data, follow=True)
    assert "at least 2" in r.content.decode()
    assert not Enrollment.objects.exists()
    set_status(b, "opted_in")
    qm_client.post(reverse("enrollment:enroll-group"), data)
    assert Enrollment.objects.get().level == "both"


@pytest.mark.parametrize(
    "name", ["program-enrollment", "case-list", "case-create", "files", "additional-measures-csv"]
)
def test_wrong_role_gets_403(billing_client, name, programs):
    assert billing_client.get(reverse(f"enrollment:{name}")).status_code == 403


def test_clinician_cannot_enroll(clinician_client, programs):
    assert clinician_client.get(reverse("enrollment:program-enrollment")).status_code == 403


def test_outsider_gets_404_for_case_urls(outsider_client, case):
    for name in ("case-detail", "case-created"):
        assert (
            outsider_client.get(reverse(f"enrollment:{name}", args=[case.public_id])).status_code
            == 404
        )
    r = outsider_client.post(
        reverse("enrollment:case-comment", args=[case.public_id]), {"body": "x"}
    )
    assert r.status_code == 404


def test_outsider_gets_404_for_files(outsider_client, practice):
    f = PracticeFile.objects.create(practice=practice, title="T", filename="t.csv", content=b"a")
    assert (
        outsider_client.get(reverse("enrollment:file-download", args=[f.public_id])).status_code
        == 404
    )


def test_case_creation_flow(qm_client, tin_npi, programs, quality_measures):
    r = qm_client.get(reverse("enrollment:case-create"))
    assert "Group reporting" in r.content.decode()
    r = qm_client.get(reverse("enrollment:case-create") + "?kind=enroll_provider")
    assert r.status_code == 200
    r = qm_client.post(
        reverse("enrollment:case-create"),
        {
            "kind": "enroll_provider",
            "year": YEAR,
            "tin_npi": tin_npi.pk,
            "target_program": programs["mips_quality"].pk,
            "measure_ids": "001, 134",
        },
    )
    case = EnrollmentCase.objects.get()
    assert r.status_code == 302 and r.url == reverse(
        "enrollment:case-created", args=[case.public_id]
    )
    assert {m.measure_id for m in case.measures.all()} == {"001", "134"}
    r = qm_client.get(r.url)
    assert case.number in r.content.decode()


def test_duplicate_case_is_refused_naming_the_open_one(qm_client, tin_npi, programs):
    """Issue 21: the same request while a case is open is refused, not accepted silently."""
    data = {
        "kind": "enroll_provider",
        "year": YEAR,
        "tin_npi": tin_npi.pk,
        "target_program": programs["mips_quality"].pk,
    }
    assert qm_client.post(reverse("enrollment:case-create"), data).status_code == 302
    first = EnrollmentCase.objects.get()
    r = qm_client.post(reverse("enrollment:case-create"), data)
    body = r.content.decode()
    assert r.status_code == 400
    assert f"Case {first.number} already asks for this" in body
    assert reverse("enrollment:case-detail", args=[first.public_id]) in body
    assert EnrollmentCase.objects.count() == 1
    # Another program for the same clinician is a different request.
    data["target_program"] = programs["mips_pi"].pk
    assert qm_client.post(reverse("enrollment:case-create"), data).status_code == 302


def test_case_form_names_every_missing_field_at_once(qm_client, programs):
    r = qm_client.post(reverse("enrollment:case-create"), {"kind": "group_reporting", "year": YEAR})
    body = r.content.decode()
    assert r.status_code == 400
    for message in (
        "Choose the medical group (TIN).",
        "Choose MIPS Quality or an MVP as the measure set.",
        "Choose group or group and individual.",
    ):
        assert message in body
    assert not EnrollmentCase.objects.exists()


def test_case_creation_reports_errors(qm_client, practice, medical_group, programs):
    tn = TinNpiFactory(
        provider__practice=practice,
        provider__can_create_encounters=False,
        medical_group=medical_group,
    )
    r = qm_client.post(
        reverse("enrollment:case-create"),
        {
            "kind": "enroll_provider",
            "year": YEAR,
            "tin_npi": tn.pk,
            "target_program": programs["mips_quality"].pk,
            "measure_ids": "nope",
        },
    )
    assert r.status_code == 400
    assert "Not measures of 2025: nope" in r.content.decode()
    r = qm_client.post(
        reverse("enrollment:case-create"),
        {
            "kind": "enroll_provider",
            "year": YEAR,
            "tin_npi": tn.pk,
            "target_program": programs["mips_quality"].pk,
        },
    )
    body = r.content.decode()
    assert r.status_code == 400 and "cannot create encounters" in body
    assert reverse("practices:provider-detail", args=[tn.provider.public_id]) in body
    r = qm_client.post(
        reverse("enrollment:case-create"),
        {
            "kind": "pi_180_day",
            "year": YEAR,
            "tin_npi": tn.provider and "",
            "medical_group": medical_group.pk,
            "period_start": "2025-03-01",
            "period_end": "2025-05-01",
        },
    )
    assert r.status_code == 400 and "needs at least 180" in r.content.decode()
    assert not EnrollmentCase.objects.exists()


def test_case_list_and_comment(qm_client, case, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        r = qm_client.get(reverse("enrollment:case-list"))
    assert case.number in r.content.decode()
    r = qm_client.get(
        reverse("enrollment:case-list"), {"status": "resolved"}, headers={"HX-Request": "true"}
    )
    assert case.number not in r.content.decode() and "<html" not in r.content.decode()
    r = qm_client.post(
        reverse("enrollment:case-comment", args=[case.public_id]), {"body": "Please hurry"}
    )
    assert r.status_code == 302
    assert case.comments.get().body == "Please hurry"


def test_staff_worklist_across_practices(staff_client, case, client, quality_manager):
    url = reverse("admin:enrollment_worklist")
    r = staff_client.get(url)
    assert r.status_code == 200 and case.number in r.content.decode()
    work = reverse("admin:enrollment_worklist_case", args=[case.public_id])
    assert staff_client.get(work).status_code == 200
    r = staff_client.post(work, {"form": "action", "action": "rejected", "note": ""})
    assert r.status_code == 400
    r = staff_client.post(work, {"form": "comment", "body": "Looking into it"})
    assert r.status_code == 302
    r = staff_client.post(work, {"form": "action", "action": "resolved", "note": "Enrolled"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    assert Enrollment.objects.get(case=case).tin_npi == case.tin_npi
    assert case.comments.get().by_staff


def test_worklist_is_staff_only(qm_client, case):
    r = qm_client.get(reverse("admin:enrollment_worklist"))
    assert r.status_code == 302 and "/admin/login/" in r.url


def test_practice_files_csv(qm_client, tin_npi, programs, quality_measures):
    e = enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR)
    add_operator_measures(enrollment=e, measures=quality_measures[:2], actor=None)
    r = qm_client.get(reverse("enrollment:files"))
    assert "Download CSV" in r.content.decode()
    r = qm_client.get(reverse("enrollment:additional-measures-csv"), {"year": YEAR})
    lines = r.content.decode().strip().splitlines()
    assert lines[0].startswith('"TIN","NPI","Clinician"')
    assert len(lines) == 3 and tin_npi.npi in lines[1] and "001" in lines[1]


def test_terms_prompt_comes_first(django_client_class, tin_npi, programs, clinician):
    tin_npi.provider.user = clinician
    tin_npi.provider.save()
    enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR)
    c = django_client_class()
    c.force_login(clinician)  # the login notes the pending agreement
    r = c.get(reverse("home"))
    assert r.status_code == 302 and r.url.startswith(reverse("enrollment:terms"))
    r = c.get(reverse("home"), headers={"HX-Request": "true"})
    assert r["HX-Redirect"].startswith(reverse("enrollment:terms"))
    r = c.get(reverse("enrollment:terms"))
    assert "payment is not guaranteed" in r.content.decode()
    r = c.post(reverse("enrollment:terms"), {"decision": "accept", "next": "/"})
    assert r.status_code == 302
    agreement = TermsAgreement.objects.get()
    assert agreement.status == "accepted" and agreement.decided_by == clinician
    assert c.get(reverse("home")).status_code == 200


def test_terms_disable_request_opens_case(django_client_class, tin_npi, programs, clinician):
    tin_npi.provider.user = clinician
    tin_npi.provider.save()
    enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR)
    c = django_client_class()
    c.force_login(clinician)
    r = c.post(reverse("enrollment:terms"), {"decision": "disable"})
    assert r.status_code == 302
    assert EnrollmentCase.objects.get().kind == "disable_terms"
    assert c.get(reverse("home")).status_code == 200


def test_no_prompt_without_pending_agreement(clinician_client):
    assert clinician_client.get(reverse("home")).status_code == 200


def test_group_enrollment_form_names_every_error_at_once(qm_client, programs):
    r = qm_client.post(reverse("enrollment:enroll-group"), {"year": YEAR}, follow=True)
    text = " ".join(str(m) for m in r.context["messages"])
    assert "TIN: This field is required." in text
    assert "Measure set: This field is required." in text
    assert "Level: This field is required." in text
