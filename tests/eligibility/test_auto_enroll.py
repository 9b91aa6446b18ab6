"""Daily auto-enrollment rules: who is enrolled, who is skipped and why, idempotence."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from enrollment.catalog import ensure_standard_programs
from enrollment.eligibility import tasks
from enrollment.eligibility.auto_enroll import auto_enroll_practice
from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.models import Enrollment, Program
from enrollment.services.enrollments import (
    end_enrollment,
    enroll_group,
    enroll_tin_npi,
    mark_do_not_reenroll,
)
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def programs(db):
    ensure_standard_programs(YEAR)
    return {p.kind: p for p in Program.objects.filter(year=YEAR)}


@pytest.fixture
def group(practice):
    return MedicalGroupFactory(practice=practice, name="North")


@pytest.fixture
def make(practice, group):
    """make(status, **provider kwargs) -> a TIN/NPI with a current snapshot of `status`."""

    def _make(status, medical_group=None, **kwargs):
        tn = TinNpiFactory(
            provider=ProviderFactory(practice=practice, **kwargs),
            medical_group=medical_group or group,
        )
        if status != "none":
            now = timezone.now()
            EligibilitySnapshot.objects.create(
                practice=practice,
                tin_npi=tn,
                year=YEAR,
                npi=tn.npi,
                status=status,
                content_hash=status,
                fetched_at=now,
                first_seen_at=now,
            )
        return tn

    return _make


def _skipped(run):
    return {row["npi"]: row["reason"] for row in run.detail["skipped"]}


def test_it_enrolls_eligible_individuals_only(practice, programs, make):
    eligible = make("eligible_individual")
    others = {
        s: make(s)
        for s in (
            "eligible_group_only",
            "opt_in_eligible",
            "opted_in",
            "not_eligible",
            "unknown",
            "none",
        )
    }
    run = auto_enroll_practice(practice=practice, year=YEAR)
    assert run.state == "succeeded"
    enrollment = Enrollment.objects.get()
    assert enrollment.tin_npi == eligible
    assert (enrollment.level, enrollment.source) == ("individual", "auto")
    assert enrollment.program == programs["mips_quality"]
    assert [r["npi"] for r in run.detail["enrolled"]] == [eligible.npi]
    skipped = _skipped(run)
    assert skipped[others["eligible_group_only"].npi] == "QPP status: Eligible as Group only"
    assert skipped[others["none"].npi] == "QPP status: Unknown (not matched)"
    assert len(skipped) == 6


def test_running_twice_changes_nothing_the_second_time(practice, programs, make):
    make("eligible_individual")
    make("eligible_individual")
    auto_enroll_practice(practice=practice, year=YEAR)
    before = list(Enrollment.objects.values_list("pk", "status", "updated_at"))
    run = auto_enroll_practice(practice=practice, year=YEAR)
    assert run.detail["enrolled"] == [] and run.counts["already_enrolled"] == 2
    assert list(Enrollment.objects.values_list("pk", "status", "updated_at")) == before


def test_never_a_tin_npi_marked_do_not_reenroll(practice, programs, make, group):
    marked = make("eligible_individual")
    mark_do_not_reenroll(year=YEAR, reason="Practice asked", tin_npi=marked)
    other_group = MedicalGroupFactory(practice=practice, name="South")
    in_marked_tin = make("eligible_individual", medical_group=other_group)
    mark_do_not_reenroll(year=YEAR - 1, reason="Whole TIN", medical_group=other_group)
    run = auto_enroll_practice(practice=practice, year=YEAR)
    assert not Enrollment.objects.exists()
    assert _skipped(run) == {
        marked.npi: "Marked 'do not re-enroll'",
        in_marked_tin.npi: "Marked 'do not re-enroll'",
    }


def test_an_unenrolled_clinician_is_not_re_enrolled(practice, programs, make, quality_manager):
    tn = make("eligible_individual")
    auto_enroll_practice(practice=practice, year=YEAR)
    end_enrollment(enrollment=Enrollment.objects.get(), actor=quality_manager)
    mark_do_not_reenroll(year=YEAR, reason="Unenrolled on request", tin_npi=tn)
    run = auto_enroll_practice(practice=practice, year=YEAR)
    assert run.detail["enrolled"] == []
    assert Enrollment.objects.filter(status="active").count() == 0


def test_deliberate_choices_are_respected(practice, programs, make, group):
    nfa = make("eligible_individual")
    enroll_tin_npi(
        tin_npi=nfa, program=programs["mips_quality_nfa"], year=YEAR, source="self_serve"
    )
    no_encounters = make("eligible_individual", can_create_encounters=False)
    grouped = MedicalGroupFactory(practice=practice, name="Grouped")
    a = make("eligible_individual", medical_group=grouped)
    make("eligible_individual", medical_group=grouped)
    enroll_group(medical_group=grouped, program=programs["mips_quality"], year=YEAR, level="group")
    run = auto_enroll_practice(practice=practice, year=YEAR)
    skipped = _skipped(run)
    assert skipped[nfa.npi] == "Enrolled in MIPS Quality Not for Attestation"
    assert skipped[no_encounters.npi] == "Provider cannot create encounters"
    assert skipped[a.npi] == "The TIN is enrolled in MIPS Quality as a group"
    assert run.detail["enrolled"] == []
    # Never a group: the only group enrollment is the one made above.
    assert Enrollment.objects.filter(tin_npi__isnull=True).count() == 1


def test_without_the_year_program_the_run_fails_with_the_fix(practice, make):
    make("eligible_individual")
    run = auto_enroll_practice(practice=practice, year=YEAR)
    assert run.state == "failed"
    assert "load_measures" in run.errors[0]["reason"]


def test_command_and_task(practice, programs, make, capsys, other_practice):
    tn = make("eligible_individual")
    call_command("auto_enroll_mips", "--year", str(YEAR), "--practice", "seven-hills")
    out = capsys.readouterr().out
    assert "seven-hills 2026: succeeded in" in out and "(enrolled=1)" in out
    assert f"enrolled {tn.medical_group.tin}/{tn.npi}" in out
    assert tasks.auto_enroll_mips.delay(YEAR).get() == 2  # one task per active practice
    assert Enrollment.objects.count() == 1
