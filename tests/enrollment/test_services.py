"""Enrollment rules: idempotent enrollment, do-not-re-enroll, 180-day PI, group minimum,
case rules and their resolution."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment.errors import EnrollmentError
from enrollment.models import (
    CaseKind,
    CaseStatus,
    DoNotReenroll,
    Enrollment,
    EnrollmentCase,
    TermsAgreement,
)
from enrollment.queries import (
    is_do_not_reenroll,
    mips_programs,
    mips_quality_program,
)
from enrollment.services.cases import (
    comment_case,
    open_case,
    reject_case,
    resolve_case,
    set_case_status,
)
from enrollment.services.checks import check_pi_period
from enrollment.services.enrollments import add_operator_measures, enroll_group, enroll_tin_npi
from enrollment.services.terms import accept_terms, request_terms_disabled
from tests.factories import ProviderFactory, TinNpiFactory

from .conftest import YEAR


def test_enroll_tin_npi_is_idempotent_and_prompts_terms(tin_npi, programs, quality_measures):
    q = programs["mips_quality"]
    first = enroll_tin_npi(tin_npi=tin_npi, program=q, year=YEAR, measures=quality_measures[:1])
    again = enroll_tin_npi(tin_npi=tin_npi, program=q, year=YEAR, measures=quality_measures[1:2])
    assert first.pk == again.pk
    assert Enrollment.objects.filter(tin_npi=tin_npi).count() == 1
    assert {m.measure_id for m in first.measures.all()} == {"001", "134"}
    assert (first.period_start, first.period_end) == (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert first.history.count() == 1
    assert TermsAgreement.objects.get(provider=tin_npi.provider).status == "pending"


def test_enroll_tin_npi_refuses_wrong_year_and_group_level(tin_npi, programs):
    with pytest.raises(EnrollmentError):
        enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR + 1)
    with pytest.raises(EnrollmentError):
        enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR, level="group")


def test_program_lookups(programs):
    assert mips_quality_program(YEAR) == programs["mips_quality"]
    kinds = set(mips_programs(YEAR).values_list("kind", flat=True))
    assert kinds == {"mips_quality", "mips_pi", "mips_ia"}  # never Not for Attestation
    assert not programs["mips_quality_nfa"].submits_to_cms
    assert programs["mips_quality"].submits_to_cms


def test_unenroll_case_marks_do_not_reenroll_and_auto_enrollment_honours_it(
    tin_npi, programs, quality_manager, practice
):
    q = programs["mips_quality"]
    enroll_tin_npi(tin_npi=tin_npi, program=q, year=YEAR)
    case = open_case(
        practice=practice, kind=CaseKind.UNENROLL, year=YEAR, actor=quality_manager, tin_npi=tin_npi
    )
    assert is_do_not_reenroll(tin_npi, YEAR)
    assert is_do_not_reenroll(tin_npi, YEAR + 1)
    assert not is_do_not_reenroll(tin_npi, YEAR - 1)
    resolve_case(case=case, actor=None, resolution="done")
    assert not Enrollment.objects.filter(tin_npi=tin_npi).active().exists()
    with pytest.raises(EnrollmentError, match="do not re-enroll"):
        enroll_tin_npi(tin_npi=tin_npi, program=q, year=YEAR, source="auto")
    # The practice enrolling again on purpose withdraws the request.
    enroll_tin_npi(tin_npi=tin_npi, program=q, year=YEAR, source="self_serve")
    assert not is_do_not_reenroll(tin_npi, YEAR)


def test_tin_wide_mark_covers_every_clinician(practice, group_of, programs, quality_manager):
    group, (a, b) = group_of(2)
    open_case(
        practice=practice,
        kind=CaseKind.UNENROLL,
        year=YEAR,
        actor=quality_manager,
        medical_group=group,
    )
    assert is_do_not_reenroll(a, YEAR) and is_do_not_reenroll(b, YEAR)


def test_rejected_unenrollment_lifts_the_mark(tin_npi, programs, quality_manager, practice):
    case = open_case(
        practice=practice, kind=CaseKind.UNENROLL, year=YEAR, actor=quality_manager, tin_npi=tin_npi
    )
    with pytest.raises(EnrollmentError):
        reject_case(case=case, actor=None, resolution=" ")
    reject_case(case=case, actor=None, resolution="Asked by mistake")
    assert not is_do_not_reenroll(tin_npi, YEAR)
    assert DoNotReenroll.objects.get().cleared_at is not None


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 29), True),  # 180 days exactly
        (dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 28), False),  # 179 days
        (dt.date(YEAR, 7, 5), dt.date(YEAR, 12, 31), True),
        (dt.date(YEAR, 8, 1), dt.date(YEAR + 1, 2, 1), False),  # leaves the year
        (dt.date(YEAR, 6, 1), dt.date(YEAR, 1, 1), False),
        (None, dt.date(YEAR, 12, 31), False),
    ],
)
def test_pi_period_rule(start, end, ok):
    if ok:
        check_pi_period(year=YEAR, start=start, end=end)
    else:
        with pytest.raises(EnrollmentError):
            check_pi_period(year=YEAR, start=start, end=end)


def test_pi_case_keeps_the_enrollment_so_attestations_carry_over(
    tin_npi, programs, quality_manager, practice
):
    pi = enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_pi"], year=YEAR)
    case = open_case(
        practice=practice,
        kind=CaseKind.PI_180_DAY,
        year=YEAR,
        actor=quality_manager,
        tin_npi=tin_npi,
        period_start=dt.date(YEAR, 3, 1),
        period_end=dt.date(YEAR, 9, 30),
    )
    resolve_case(case=case, actor=None)
    pi.refresh_from_db()
    assert (pi.period_start, pi.period_end) == (dt.date(YEAR, 3, 1), dt.date(YEAR, 9, 30))
    assert Enrollment.objects.filter(program=programs["mips_pi"]).count() == 1


def test_group_minimum_counts_only_eligible_clinicians(
    practice, group_of, programs, set_status, quality_manager
):
    group, (a, b, c) = group_of(3)
    set_status(a, "eligible_individual")
    set_status(b, "opt_in_eligible")  # has not opted in: does not count
    # c has no snapshot: unknown, does not count
    with pytest.raises(EnrollmentError, match="1 MIPS-eligible"):
        enroll_group(medical_group=group, program=programs["mips_quality"], year=YEAR)
    with pytest.raises(EnrollmentError):
        open_case(
            practice=practice,
            kind=CaseKind.GROUP_REPORTING,
            year=YEAR,
            actor=quality_manager,
            medical_group=group,
            target_program=programs["mips_quality"],
            level="group",
        )
    set_status(c, "eligible_group_only")
    e = enroll_group(medical_group=group, program=programs["mips_quality"], year=YEAR, level="both")
    assert e.is_group and e.level == "both" and e.tin_npi is None


def test_case_checks_encounters_then_npi(practice, medical_group, programs, quality_manager):
    provider = ProviderFactory(practice=practice, can_create_encounters=False, npi="")
    tn = TinNpiFactory(provider=provider, medical_group=medical_group)
    kwargs = {
        "practice": practice,
        "kind": CaseKind.ENROLL_PROVIDER,
        "year": YEAR,
        "actor": quality_manager,
        "tin_npi": tn,
        "target_program": programs["mips_quality"],
    }
    with pytest.raises(EnrollmentError, match="cannot create encounters") as exc:
        open_case(**kwargs)
    assert "Providers" in exc.value.fix_page
    provider.can_create_encounters = True
    provider.save()
    with pytest.raises(EnrollmentError, match="no NPI") as exc:
        open_case(**kwargs)
    assert "NPIs and Other Numbers" in exc.value.fix_page
    assert not EnrollmentCase.objects.exists()


def test_case_numbers_are_unique_and_readable(tin_npi, programs, quality_manager, practice):
    numbers = {
        open_case(
            practice=practice,
            kind=CaseKind.ENROLL_PROVIDER,
            year=YEAR,
            actor=quality_manager,
            tin_npi=tin_npi,
            target_program=programs[kind],
        ).number
        # Three different requests: the same one twice would be a refused duplicate.
        for kind in ("mips_quality", "mips_pi", "mips_ia")
    }
    assert len(numbers) == 3 and all(n.startswith("QPE-") for n in numbers)


def test_change_program_needs_two_different_programs(tin_npi, programs, quality_manager, practice):
    with pytest.raises(EnrollmentError):
        open_case(
            practice=practice,
            kind=CaseKind.CHANGE_PROGRAM,
            year=YEAR,
            actor=quality_manager,
            tin_npi=tin_npi,
            current_program=programs["mips_quality"],
            target_program=programs["mips_quality"],
        )


def test_resolving_not_for_attestation_swaps_programs_in_one_transaction(
    tin_npi, programs, quality_manager, practice
):
    q = enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR)
    case = open_case(
        practice=practice,
        kind=CaseKind.NOT_FOR_ATTESTATION,
        year=YEAR,
        actor=quality_manager,
        tin_npi=tin_npi,
    )
    assert case.target_program == programs["mips_quality_nfa"]
    resolve_case(case=case, actor=None)
    q.refresh_from_db()
    assert q.status == "ended"
    nfa = Enrollment.objects.get(program=programs["mips_quality_nfa"])
    assert nfa.case == case and nfa.source == "case"
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    with pytest.raises(EnrollmentError, match="already"):
        resolve_case(case=case, actor=None)


def test_failed_resolution_changes_nothing(
    practice, group_of, programs, quality_manager, set_status
):
    group, (a, b) = group_of(2)
    set_status(a, "eligible_individual")
    set_status(b, "eligible_individual")
    case = open_case(
        practice=practice,
        kind=CaseKind.GROUP_REPORTING,
        year=YEAR,
        actor=quality_manager,
        medical_group=group,
        target_program=programs["mips_quality"],
        level="group",
    )
    # Eligibility changed before staff resolved the case: the rule refuses, nothing moves.
    from enrollment.eligibility.models import EligibilitySnapshot

    EligibilitySnapshot.objects.filter(tin_npi=b).update(status="not_eligible")
    with pytest.raises(EnrollmentError):
        resolve_case(case=case, actor=None)
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert not Enrollment.objects.exists()


def test_staff_status_transitions(tin_npi, programs, quality_manager, practice):
    case = open_case(
        practice=practice,
        kind=CaseKind.ENROLL_PROVIDER,
        year=YEAR,
        actor=quality_manager,
        tin_npi=tin_npi,
        target_program=programs["mips_quality"],
    )
    set_case_status(case=case, actor=None, status=CaseStatus.WAITING_ON_PRACTICE)
    case.refresh_from_db()
    comment_case(case=case, author=quality_manager, body="Here is the info")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS  # the practice's reply hands it back
    with pytest.raises(EnrollmentError):
        set_case_status(case=case, actor=None, status=CaseStatus.NEW)
    assert [h.to_status for h in case.history.all()] == [
        "new",
        "waiting_on_practice",
        "in_progress",
    ]


def test_terms_accept_and_disable(tin_npi, programs, clinician):
    provider = tin_npi.provider
    provider.user = clinician
    provider.save()
    enroll_tin_npi(tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR)
    agreement = TermsAgreement.objects.get(provider=provider)
    accept_terms(agreement=agreement, user=clinician)
    agreement.refresh_from_db()
    assert agreement.status == "accepted" and agreement.decided_by == clinician
    assert agreement.version and agreement.decided_at

    other = TinNpiFactory(provider__practice=tin_npi.practice, medical_group=tin_npi.medical_group)
    enroll_tin_npi(tin_npi=other, program=programs["mips_quality"], year=YEAR)
    pending = TermsAgreement.objects.get(provider=other.provider)
    case = request_terms_disabled(agreement=pending, user=clinician)
    pending.refresh_from_db()
    assert pending.status == "disable_requested" and pending.case == case
    assert case.kind == CaseKind.DISABLE_TERMS and case.number


def test_operator_measures_are_only_added(tin_npi, programs, quality_measures):
    e = enroll_tin_npi(
        tin_npi=tin_npi, program=programs["mips_quality"], year=YEAR, measures=quality_measures[:1]
    )
    assert add_operator_measures(enrollment=e, measures=quality_measures, actor=None) == 2
    assert add_operator_measures(enrollment=e, measures=quality_measures, actor=None) == 0
    origins = dict(e.enrollment_measures.values_list("measure__measure_id", "origin"))
    assert origins == {"001": "requested", "134": "operator_added", "236": "operator_added"}


def test_unenrolling_from_a_regional_program_does_not_block_mips_auto_enrollment(
    tin_npi, programs, quality_manager, practice
):
    from enrollment.models import Program, ProgramKind

    regional = Program.objects.create(
        year=YEAR,
        kind=ProgramKind.REGIONAL,
        code="north-p4p",
        name="North P4P",
        region="North",
        submits_to_cms=False,
    )
    enroll_tin_npi(tin_npi=tin_npi, program=regional, year=YEAR, source="operator")
    open_case(
        practice=practice,
        kind=CaseKind.UNENROLL,
        year=YEAR,
        actor=quality_manager,
        tin_npi=tin_npi,
        current_program=regional,
    )
    # The seed's mark is about MIPS: leaving a regional program must not stop the daily
    # MIPS auto-enrollment of an eligible clinician.
    assert not is_do_not_reenroll(tin_npi, YEAR)
    assert not DoNotReenroll.objects.exists()
