"""Program services against the database: baselines from eCQM results, benchmarks,
phases, periods and stored payouts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from incentives import services
from incentives.errors import P4PError
from incentives.models import Baseline, Phase, ProviderPayout
from incentives.monitoring import program_health
from tests.factories import PracticeFactory

from . import factories as f

# These tests read several practices (or the whole demo) on purpose.
pytestmark = [pytest.mark.django_db, pytest.mark.unscoped]


def _baselines(r):
    return {b.tin_npi_id: b for b in Baseline.objects.filter(measure=r.bp)}


def test_baselines_are_computed_from_the_baseline_year_results(regional):
    r = regional
    f.result(r.tn["stuck"], year=2024, numer=5, denom=7, denex=3, cms_id="CMS122")  # other measure
    assert services.compute_baselines(program=r.p4p) == 4
    got = _baselines(r)
    assert {k: b.value for k, b in got.items()} == {
        r.tn["improver"].pk: D("58.00"),
        r.tn["achiever"].pk: D("80.00"),
        r.tn["stuck"].pk: D("60.00"),
        r.tn["lake"].pk: D("90.00"),
    }
    b = got[r.tn["improver"].pk]
    assert (b.numerator, b.denominator, b.source, b.period) == (29, 50, "computed", "2024")
    assert b.practice_id == r.tn["improver"].practice_id


def test_baseline_uses_the_performance_denominator_and_keeps_entered_values(regional):
    r = regional
    # Exclusions and exceptions leave the denominator: 30 / (60 - 5 - 5) = 60 %.
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=r.tn["stuck"], year=2024).delete()
    f.result(r.tn["stuck"], year=2024, numer=30, denom=50, denex=5, denexcep=5)
    services.enter_baseline(tin_npi=r.tn["lake"], measure=r.bp, value=D("70"), actor=None)
    services.compute_baselines(program=r.p4p)
    got = _baselines(r)
    assert got[r.tn["stuck"].pk].value == D("60.00")
    assert got[r.tn["stuck"].pk].denominator == 50
    assert (got[r.tn["lake"].pk].value, got[r.tn["lake"].pk].source) == (D("70.00"), "entered")


def test_provider_without_baseline_results_gets_an_empty_baseline(regional):
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=regional.tn["stuck"], year=2024).delete()
    services.compute_baselines(program=regional.p4p)
    b = _baselines(regional)[regional.tn["stuck"].pk]
    assert (b.value, b.denominator) == (None, 0)
    assert "No eCQM result" in b.note


def test_entered_baseline_must_be_a_percent(regional):
    with pytest.raises(P4PError, match="between 0 and 100"):
        services.enter_baseline(
            tin_npi=regional.tn["lake"], measure=regional.bp, value=D("101"), actor=None
        )


def test_percentile_benchmark_from_baselines(regional):
    r = regional
    services.compute_baselines(program=r.p4p)
    r.bp.benchmark_kind, r.bp.benchmark_percentile = "percentile", 75
    r.bp.save()
    services.compute_benchmarks(program=r.p4p)
    r.bp.refresh_from_db()
    # Baselines 58, 60, 80, 90: nearest rank ceil(0.75 x 4) = 3rd -> 80.
    assert (r.bp.benchmark, r.bp.benchmark_sample) == (D("80.00"), 4)
    r.bp.inverse = True
    r.bp.save()
    services.compute_benchmarks(program=r.p4p)
    r.bp.refresh_from_db()
    assert r.bp.benchmark == D("60.00")  # lower is better: 3rd best of 58, 60, 80, 90
    r.bp.min_denominator = 51  # every baseline had 50 patients: no sample
    r.bp.save()
    services.compute_benchmarks(program=r.p4p)
    r.bp.refresh_from_db()
    assert (r.bp.benchmark, r.bp.benchmark_sample) == (None, 0)


def test_percentile_method_by_hand():
    from incentives.payments.benchmarks import percentile

    values = [D(v) for v in ("50", "60", "70", "80", "90")]
    assert percentile(values, 90) == D("90")
    assert percentile(values, 50) == D("70")
    assert percentile(values, 20) == D("50")
    assert percentile(values, 90, inverse=True) == D("50")
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 0)


# --------------------------------------------------------------------------- phases


def test_phase_transitions(regional):
    p4p = regional.p4p
    first = services.start_program(program=p4p)
    p4p.refresh_from_db()
    assert (p4p.status, first.kind, p4p.current_phase) == ("active", "reporting", first)
    assert first.started_at is not None
    with pytest.raises(P4PError, match="already started"):
        services.start_program(program=p4p)
    second = services.advance_phase(program=p4p)
    p4p.refresh_from_db()
    assert second.kind == "performance" and p4p.current_phase == second
    first.refresh_from_db()
    assert first.ended_at is not None
    assert services.advance_phase(program=p4p) is None
    p4p.refresh_from_db()
    assert (p4p.status, p4p.current_phase) == ("completed", None)
    with pytest.raises(P4PError, match="running program"):
        services.advance_phase(program=p4p)


def test_program_cannot_start_with_an_incomplete_design(regional):
    p4p = regional.p4p
    regional.bp.gap_analysis.delete()
    Phase.objects.filter(program=p4p, kind="performance").delete()
    regional.model.delete()
    p4p.refresh_from_db()
    with pytest.raises(P4PError) as err:
        services.start_program(program=p4p)
    assert "BP: complete the gap analysis" in err.value.message
    assert "2 to 4 phases" in err.value.message
    assert "payment model" in err.value.message


def test_overlapping_phases_are_refused(regional):
    Phase.objects.filter(program=regional.p4p, kind="performance").update(
        starts_on=dt.date(2025, 6, 1)
    )
    assert "Pay for performance must start after" in " ".join(services.check_design(regional.p4p))


# --------------------------------------------------------------------------- periods and payouts


def test_periods_split_the_annual_pool_to_the_cent(regional):
    quarters = services.create_periods(program=regional.p4p)
    assert [(p.label, p.pool) for p in quarters] == [
        (f"2025-Q{i}", D("1000.00")) for i in range(1, 5)
    ]
    assert (quarters[3].starts_on, quarters[3].ends_on) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert services.create_periods(program=regional.p4p)[0].pk == quarters[0].pk  # idempotent
    regional.model.frequency = "monthly"
    regional.model.annual_pool = D("1000.00")
    regional.model.save()
    regional.p4p.periods.all().delete()
    months = services.create_periods(program=regional.p4p)
    assert [p.pool for p in months] == [D("83.34")] * 4 + [D("83.33")] * 8
    assert sum(p.pool for p in months) == D("1000.00")
    assert months[1].ends_on == dt.date(2025, 2, 28)


def _q(regional, n):
    services.create_periods(program=regional.p4p)
    return regional.p4p.periods.get(label=f"2025-Q{n}")


def _amounts(run):
    return {
        p.tin_npi.provider.last_name: (p.earned, p.path, p.amount)
        for p in ProviderPayout.objects.filter(run=run).select_related("tin_npi__provider")
    }


def test_performance_period_pays_improvement_or_benchmark(regional):
    services.compute_baselines(program=regional.p4p)
    run = services.compute_payouts(period=_q(regional, 4))
    # Three earn one point each of $1,000: the spare cent goes to the lowest NPI (Improver).
    assert _amounts(run) == {
        "Improver": (True, "improvement", D("333.34")),
        "Achiever": (True, "benchmark", D("333.33")),
        "Stuck": (False, "", D("0.00")),
        "Lake": (True, "benchmark", D("333.33")),
    }
    assert (run.phase, run.algorithm, run.total, run.pool) == (
        "performance",
        "improvement_or_benchmark",
        D("1000.00"),
        D("1000.00"),
    )
    line = ProviderPayout.objects.get(run=run, tin_npi=regional.tn["improver"]).lines.get()
    assert (line.numerator, line.denominator, line.rate, line.baseline, line.benchmark) == (
        39,
        60,
        D("65.00"),
        D("58.00"),
        D("80.00"),
    )
    stuck = ProviderPayout.objects.get(run=run, tin_npi=regional.tn["stuck"]).lines.get()
    assert stuck.reason == "not_met"
    # The inputs are stored: the statement can be recomputed from them.
    improver = next(
        p for p in run.inputs["providers"] if p["tin_npi"] == str(regional.tn["improver"].public_id)
    )
    assert improver["measures"] == [
        {"code": "BP", "numerator": 39, "denominator": 60, "baseline": "58.00"}
    ]
    assert run.inputs["rules"]["improvement_target"] == "5.00"


def test_computing_again_without_changes_keeps_the_run(regional):
    services.compute_baselines(program=regional.p4p)
    period = _q(regional, 4)
    first = services.compute_payouts(period=period)
    assert services.compute_payouts(period=period).pk == first.pk
    f.result(regional.tn["stuck"], year=2025, numer=9, denom=10, cms_id="CMS122")  # unrelated
    assert services.compute_payouts(period=period).pk == first.pk
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=regional.tn["stuck"], year=2025, cms_id="CMS165").update(
        numer=49
    )
    second = services.compute_payouts(period=period)
    assert second.pk != first.pk
    period.refresh_from_db()
    assert period.current_run == second
    assert _amounts(second)["Stuck"] == (True, "benchmark", D("250.00"))


def test_reporting_phase_pays_participation_to_providers_with_data(regional):
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=regional.tn["stuck"], year=2025).delete()
    run = services.compute_payouts(period=_q(regional, 2))
    assert (run.phase, run.algorithm) == ("reporting", "participation")
    assert _amounts(run) == {
        "Improver": (True, "participation", D("100.00")),
        "Achiever": (True, "participation", D("100.00")),
        "Stuck": (False, "", D("0.00")),
        "Lake": (True, "participation", D("100.00")),
    }
    assert run.unallocated == D("700.00")


def test_performance_period_needs_benchmarks(regional):
    regional.bp.benchmark_kind, regional.bp.benchmark_percentile = "percentile", 50
    regional.bp.save()
    regional.bp.benchmark = None
    regional.bp.save(update_fields=["benchmark"])
    with pytest.raises(P4PError, match="no benchmark"):
        services.compute_payouts(period=_q(regional, 4))


def test_period_outside_every_phase_is_refused(regional):
    Phase.objects.filter(program=regional.p4p, kind="performance").update(
        ends_on=dt.date(2025, 11, 30)
    )
    with pytest.raises(P4PError, match="No phase of the program covers 2025-Q4"):
        services.compute_payouts(period=_q(regional, 4))


def test_closing_a_period_stores_a_final_run(regional):
    services.compute_baselines(program=regional.p4p)
    period = _q(regional, 4)
    projected = services.compute_payouts(period=period)
    final = services.close_period(period=period)
    assert not projected.is_final and final.is_final and final.pk != projected.pk
    period.refresh_from_db()
    assert period.is_closed and period.current_run == final
    with pytest.raises(P4PError, match="already closed"):
        services.close_period(period=period)
    # Data arriving later never changes a closed period's statement.
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=regional.tn["stuck"], year=2025).update(numer=49)
    assert services.compute_payouts(period=period).pk == final.pk


def test_compute_payouts_command_prints_json(regional, capsys):
    services.compute_baselines(program=regional.p4p)
    _q(regional, 4)
    call_command("compute_payouts", "--program", "ohio-p4p", "--period", "2025-Q4", "--json")
    doc = json.loads(capsys.readouterr().out)
    assert (doc["program"], doc["period"], doc["pool"]) == ("ohio-p4p", "2025-Q4", "1000.00")
    rows = {p["provider"].split(",")[0]: p for p in doc["payouts"]}
    assert rows["Improver"] == {
        "provider": "Improver, Dr MD",
        "npi": regional.tn["improver"].provider.npi,
        "tin": regional.tn["improver"].medical_group.tin,
        "earned": True,
        "path": "improvement",
        "amount": "333.34",
    }
    assert rows["Stuck"]["path"] is None and rows["Stuck"]["earned"] is False
    assert sum(D(p["amount"]) for p in doc["payouts"]) <= D(doc["pool"])


def test_compute_payouts_command_errors(regional):
    with pytest.raises(CommandError, match="No P4P program"):
        call_command("compute_payouts", "--program", "nope", "--period", "2025-Q4")
    with pytest.raises(CommandError, match="No period"):
        call_command("compute_payouts", "--program", "ohio-p4p", "--period", "2025-Q9")


def test_celery_task_computes_the_period(regional):
    from incentives.tasks import compute_period_payouts, recalculate_open_periods

    period = _q(regional, 2)
    run_id = compute_period_payouts.delay(period.pk).get()
    period.refresh_from_db()
    assert period.current_run_id == run_id
    services.start_program(program=regional.p4p)
    assert recalculate_open_periods.delay().get() >= 2  # Q1 and Q2 ... have begun


def test_monitoring_shows_data_flow_problems(regional):
    from mips.models import MeasureResult

    MeasureResult.objects.filter(tin_npi=regional.tn["stuck"], year=2025).delete()
    MeasureResult.objects.filter(tin_npi=regional.tn["lake"], year=2025).update(denom=8, numer=4)
    health = program_health(regional.p4p)
    assert health.participants == 4
    assert health.providers_without_data == [regional.tn["stuck"]]
    (bp,) = health.measures
    assert bp.below_minimum == [(regional.tn["lake"], 8)]
    assert bp.missing_baselines == 4


def test_enrollment_request_opens_a_case(regional, other_practice):
    from enrollment.models import EnrollmentCase
    from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

    fresh = PracticeFactory(slug="fresh", region="ohio")  # the region matches in any case
    tn = TinNpiFactory(
        provider=ProviderFactory(practice=fresh), medical_group=MedicalGroupFactory(practice=fresh)
    )
    case = services.request_enrollment(
        practice=fresh, program=regional.p4p, tin_npi=tn, actor=None, details="Please"
    )
    assert (case.kind, case.target_program, case.tin_npi, case.year) == (
        "enroll_provider",
        regional.p4p.program,
        tn,
        2025,
    )
    assert "P4P program notification" in case.details and "Please" in case.details
    # Lakeside is enrolled already: the program is not offered to it.
    with pytest.raises(P4PError, match="not offered"):
        services.request_enrollment(
            practice=other_practice, program=regional.p4p, tin_npi=regional.tn["lake"], actor=None
        )
    with pytest.raises(P4PError, match="of your practice"):
        services.request_enrollment(
            practice=fresh, program=regional.p4p, tin_npi=regional.tn["lake"], actor=None
        )
    # Enrollment's own checks still apply: a provider without encounters is refused.
    tn.provider.can_create_encounters = False
    tn.provider.save()
    with pytest.raises(P4PError):
        services.request_enrollment(practice=fresh, program=regional.p4p, tin_npi=tn, actor=None)
    assert EnrollmentCase.objects.count() == 1


def test_programs_offered_by_region(regional, practice, other_practice):
    from incentives.models import P4PProgram

    elsewhere = PracticeFactory(slug="far", region="Texas")
    nowhere = PracticeFactory(slug="none", region="")
    assert list(P4PProgram.objects.offered_to(elsewhere)) == []
    assert list(P4PProgram.objects.offered_to(nowhere)) == []
    assert list(P4PProgram.objects.offered_to(practice)) == []  # enrolled
    fresh = PracticeFactory(slug="fresh", region="Ohio")
    assert list(P4PProgram.objects.offered_to(fresh)) == [regional.p4p]
    regional.p4p.announce = False
    regional.p4p.save()
    assert list(P4PProgram.objects.offered_to(fresh)) == []
