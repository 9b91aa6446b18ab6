"""Writes of P4P programs: baselines, benchmarks, phases, periods, payouts, enrollment
requests. Program-wide work spans practices: callers outside a request wrap it in
scopes_disabled() (the Celery task and the command do)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from practices.models import Practice, TinNpi

from . import engine
from .errors import P4PError
from .models import (
    Baseline,
    BaselineSource,
    BenchmarkKind,
    Frequency,
    P4PProgram,
    PaymentPeriod,
    PayoutLine,
    PayoutRun,
    PeriodStatus,
    Phase,
    PhaseKind,
    ProgramMeasure,
    ProgramStatus,
    ProviderPayout,
)
from .payments import Algorithm, MeasureData, MeasureRule, PaymentRules, ProviderData, compute
from .payments.benchmarks import percentile
from .payments.inputs import rate_percent
from .payments.money import split_equally
from .querysets import participants


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def active_measures(program: P4PProgram) -> list[ProgramMeasure]:
    return list(program.measures.filter(is_active=True).order_by("code"))


# --------------------------------------------------------------------------- step 5


@transaction.atomic
def compute_baselines(*, program: P4PProgram, actor=None) -> int:
    """Baseline per participating TIN/NPI and active measure from the eCQM results of the
    program's baseline year. Entered baselines are never overwritten. Returns rows set."""
    measures = active_measures(program)
    tin_npis = list(participants(program))
    counts = engine.measure_counts(
        tin_npi_ids=[t.pk for t in tin_npis],
        year=program.baseline_year,
        measures=[(m.cms_id, m.population_group) for m in measures],
    )
    entered = set(
        Baseline.objects.filter(measure__in=measures, source=BaselineSource.ENTERED).values_list(
            "tin_npi_id", "measure_id"
        )
    )
    written = 0
    for measure in measures:
        for tin_npi in tin_npis:
            if (tin_npi.pk, measure.pk) in entered:
                continue
            c = counts.get((tin_npi.pk, measure.cms_id, measure.population_group))
            numerator = c.numer if c else 0
            denominator = c.performance_denominator if c else 0
            Baseline.objects.update_or_create(
                tin_npi=tin_npi,
                measure=measure,
                defaults={
                    "practice_id": tin_npi.practice_id,
                    "value": rate_percent(numerator, denominator),
                    "numerator": numerator,
                    "denominator": denominator,
                    "source": BaselineSource.COMPUTED,
                    "period": str(program.baseline_year),
                    "note": "" if c else "No eCQM result in the baseline year.",
                    "entered_by": None,
                },
            )
            written += 1
    return written


@transaction.atomic
def enter_baseline(
    *, tin_npi: TinNpi, measure: ProgramMeasure, value: Decimal, actor, note: str = ""
) -> Baseline:
    """Record a baseline from another source (e.g. the payer's data); computing
    baselines again keeps it."""
    if not Decimal("0") <= value <= Decimal("100"):
        raise P4PError("A baseline is a percent between 0 and 100.", field="value")
    baseline, _ = Baseline.objects.update_or_create(
        tin_npi=tin_npi,
        measure=measure,
        defaults={
            "practice_id": tin_npi.practice_id,
            "value": value,
            "numerator": None,
            "denominator": None,
            "source": BaselineSource.ENTERED,
            "period": str(measure.program.baseline_year),
            "note": note,
            "entered_by": _user(actor),
        },
    )
    return baseline


@transaction.atomic
def compute_benchmarks(*, program: P4PProgram) -> list[ProgramMeasure]:
    """Percentile benchmarks from the baselines of providers with enough patients (entered
    baselines count too); fixed benchmarks are their target."""
    done = []
    for measure in active_measures(program):
        if measure.benchmark_kind == BenchmarkKind.FIXED:
            measure.benchmark, measure.benchmark_sample = measure.benchmark_target, None
        else:
            values = [
                b.value
                for b in measure.baselines.exclude(value=None)
                if b.denominator is None or b.denominator >= measure.min_denominator
            ]
            measure.benchmark = percentile(
                values, measure.benchmark_percentile, inverse=measure.inverse
            )
            measure.benchmark_sample = len(values)
        measure.benchmark_computed_at = timezone.now()
        measure.save(update_fields=["benchmark", "benchmark_sample", "benchmark_computed_at"])
        done.append(measure)
    return done


# --------------------------------------------------------------------------- steps 4 and 7


def _ordered_phases(program: P4PProgram) -> list[Phase]:
    return sorted(program.phases.all(), key=lambda p: p.order)


def check_design(program: P4PProgram) -> list[str]:
    """What stops the program from starting (empty when it may start)."""
    problems = []
    measures = active_measures(program)
    if not measures:
        problems.append("Choose at least one measure.")
    for m in measures:
        gap = getattr(m, "gap_analysis", None)
        if gap is None:
            problems.append(f"{m.code}: complete the gap analysis.")
        elif not gap.data_available:
            problems.append(f"{m.code}: the gap analysis found no data source; drop or fix it.")
    phases = _ordered_phases(program)
    if not 2 <= len(phases) <= 4:
        problems.append("Organize the program in 2 to 4 phases.")
    for earlier, later in zip(phases, phases[1:], strict=False):
        if later.starts_on <= earlier.ends_on:
            problems.append(
                f"{later.get_kind_display()} must start after {earlier.get_kind_display()} ends."
            )
    if not hasattr(program, "payment_model"):
        problems.append("Set up the payment model.")
    return problems


@transaction.atomic
def start_program(*, program: P4PProgram, actor=None) -> Phase:
    """Begin phase 1 (step 7), once the design is complete."""
    program = P4PProgram.objects.select_for_update().get(pk=program.pk)
    if program.status != ProgramStatus.DESIGN:
        raise P4PError("The program has already started.")
    problems = check_design(program)
    if problems:
        raise P4PError(" ".join(problems))
    first = _ordered_phases(program)[0]
    first.started_at = timezone.now()
    first.save(update_fields=["started_at"])
    program.status, program.current_phase = ProgramStatus.ACTIVE, first
    program.save(update_fields=["status", "current_phase", "updated_at"])
    return first


@transaction.atomic
def advance_phase(*, program: P4PProgram, actor=None) -> Phase | None:
    """Move into the next phase; after the last one the program is completed (None)."""
    program = P4PProgram.objects.select_for_update().get(pk=program.pk)
    if program.status != ProgramStatus.ACTIVE or program.current_phase is None:
        raise P4PError("Only a running program moves to its next phase.")
    now = timezone.now()
    current = program.current_phase
    current.ended_at = now
    current.save(update_fields=["ended_at"])
    later = [p for p in _ordered_phases(program) if p.order > current.order]
    if not later:
        program.status, program.current_phase = ProgramStatus.COMPLETED, None
        program.save(update_fields=["status", "current_phase", "updated_at"])
        return None
    nxt = later[0]
    nxt.started_at = now
    nxt.save(update_fields=["started_at"])
    program.current_phase = nxt
    program.save(update_fields=["current_phase", "updated_at"])
    return nxt


def phase_for(period: PaymentPeriod) -> Phase:
    """The phase the plan puts the period's last day in."""
    for phase in period.program.phases.all():
        if phase.starts_on <= period.ends_on <= phase.ends_on:
            return phase
    raise P4PError(f"No phase of the program covers {period.label} (ends {period.ends_on}).")


# --------------------------------------------------------------------------- step 6


def _period_bounds(year: int, frequency: str) -> list[tuple[str, dt.date, dt.date]]:
    if frequency == Frequency.ANNUAL:
        return [(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))]
    months = 1 if frequency == Frequency.MONTHLY else 3
    bounds = []
    for i in range(12 // months):
        start = dt.date(year, i * months + 1, 1)
        end_month = start.month + months
        end = (
            dt.date(year, 12, 31)
            if end_month > 12
            else dt.date(year, end_month, 1) - dt.timedelta(days=1)
        )
        label = f"{year}-Q{i + 1}" if months == 3 else f"{year}-{start.month:02d}"
        bounds.append((label, start, end))
    return bounds


@transaction.atomic
def create_periods(*, program: P4PProgram) -> list[PaymentPeriod]:
    """The program year's payment periods at its frequency; the annual pool is split
    equally to the cent (largest remainder). Existing periods are kept."""
    model = getattr(program, "payment_model", None)
    if model is None:
        raise P4PError("Set up the payment model first.")
    bounds = _period_bounds(program.year, model.frequency)
    pools = split_equally(model.annual_pool, [label for label, _, _ in bounds])
    periods = []
    for label, start, end in bounds:
        period, _ = PaymentPeriod.objects.get_or_create(
            program=program,
            label=label,
            defaults={"starts_on": start, "ends_on": end, "pool": pools[label]},
        )
        periods.append(period)
    return periods


def payment_rules(period: PaymentPeriod) -> tuple[PaymentRules, Phase, list[ProgramMeasure]]:
    """The rules in force for a period: its phase decides the algorithm and the measures."""
    program = period.program
    model = getattr(program, "payment_model", None)
    if model is None:
        raise P4PError("The program has no payment model.")
    phase = phase_for(period)
    measures = [m for m in phase.measures.all() if m.is_active] or active_measures(program)
    measures.sort(key=lambda m: m.code)
    if phase.kind in (PhaseKind.PARTICIPATION, PhaseKind.REPORTING):
        algorithm = Algorithm.PARTICIPATION
    else:
        algorithm = Algorithm(model.algorithm)
    for m in measures:
        if algorithm != Algorithm.PARTICIPATION and m.benchmark is None:
            raise P4PError(f"{m.code} has no benchmark yet: compute the benchmarks first.")
    try:
        rules = PaymentRules(
            algorithm=algorithm,
            pool=period.pool,
            measures=tuple(
                MeasureRule(
                    code=m.code,
                    weight=m.weight,
                    min_denominator=m.min_denominator,
                    benchmark=m.benchmark,
                    threshold=m.threshold,
                    inverse=m.inverse,
                )
                for m in measures
            ),
            improvement_target=model.improvement_target,
            max_points=model.max_points,
            max_improvement_points=model.max_improvement_points,
            participation_amount=model.participation_amount,
            require_reporting=phase.kind != PhaseKind.PARTICIPATION,
            weight_by_patients=model.weight_by_patients,
            cap_per_provider=model.cap_per_provider,
        )
    except ValueError as exc:
        raise P4PError(str(exc)) from exc
    return rules, phase, measures


def _provider_key(tin_npi: TinNpi) -> str:
    # Ties in the last cent go by this key: NPI, then TIN.
    return f"{tin_npi.provider.npi}/{tin_npi.medical_group.tin}/{tin_npi.pk}"


def gather_inputs(period: PaymentPeriod, measures: list[ProgramMeasure]):
    """Each participant's counts (eCQM results of the period's year) and baselines."""
    program = period.program
    tin_npis = list(participants(program))
    ids = [t.pk for t in tin_npis]
    year = period.ends_on.year
    counts = engine.measure_counts(
        tin_npi_ids=ids, year=year, measures=[(m.cms_id, m.population_group) for m in measures]
    )
    patients = engine.attributed_patients(
        tin_npi_ids=ids, year=year, cms_ids=sorted({m.cms_id for m in measures})
    )
    baselines = {
        (b.tin_npi_id, b.measure_id): b.value
        for b in Baseline.objects.filter(tin_npi_id__in=ids, measure__in=measures)
    }
    providers, by_key = [], {}
    for t in tin_npis:
        data = []
        for m in measures:
            c = counts.get((t.pk, m.cms_id, m.population_group))
            data.append(
                MeasureData(
                    code=m.code,
                    numerator=c.numer if c else 0,
                    denominator=c.performance_denominator if c else 0,
                    baseline=baselines.get((t.pk, m.pk)),
                )
            )
        key = _provider_key(t)
        by_key[key] = t
        providers.append(ProviderData(key, tuple(data), patients.get(t.pk, 0)))
    return providers, by_key, year


def _inputs_document(rules: PaymentRules, phase: Phase, providers, by_key, year) -> dict:
    def num(v):
        return None if v is None else str(v)

    return {
        "phase": phase.kind,
        "data_year": year,
        "rules": {
            "algorithm": rules.algorithm.value,
            "pool": num(rules.pool),
            "improvement_target": num(rules.improvement_target),
            "max_points": num(rules.max_points),
            "max_improvement_points": num(rules.max_improvement_points),
            "participation_amount": num(rules.participation_amount),
            "require_reporting": rules.require_reporting,
            "weight_by_patients": rules.weight_by_patients,
            "cap_per_provider": num(rules.cap_per_provider),
            "measures": [
                {
                    "code": m.code,
                    "weight": num(m.weight),
                    "min_denominator": m.min_denominator,
                    "benchmark": num(m.benchmark),
                    "threshold": num(m.threshold),
                    "inverse": m.inverse,
                }
                for m in rules.measures
            ],
        },
        "providers": [
            {
                "key": p.key,
                "tin_npi": str(by_key[p.key].public_id),
                "attributed_patients": p.attributed_patients,
                "measures": [
                    {
                        "code": d.code,
                        "numerator": d.numerator,
                        "denominator": d.denominator,
                        "baseline": num(d.baseline),
                    }
                    for d in p.measures
                ],
            }
            for p in providers
        ],
    }


@transaction.atomic
def compute_payouts(*, period: PaymentPeriod, actor=None, trigger: str = "manual") -> PayoutRun:
    """Compute and store a period's payouts with their inputs. Idempotent: when nothing
    changed since the period's current run, that run is returned as it is. A closed
    period is final: its stored final run is returned, whatever the data do later."""
    period = PaymentPeriod.objects.select_for_update().select_related("program").get(pk=period.pk)
    if period.is_closed and period.current_run and period.current_run.is_final:
        return period.current_run
    rules, phase, measures = payment_rules(period)
    providers, by_key, year = gather_inputs(period, measures)
    inputs = _inputs_document(rules, phase, providers, by_key, year)
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    current = period.current_run
    if current and current.inputs_digest == digest and current.is_final == period.is_closed:
        return current
    result = compute(rules, providers)
    run = PayoutRun.objects.create(
        period=period,
        phase=phase.kind,
        algorithm=rules.algorithm.value,
        pool=rules.pool,
        total=result.total,
        is_final=period.is_closed,
        inputs=inputs,
        inputs_digest=digest,
        trigger=trigger,
        computed_by=_user(actor),
    )
    by_code = {m.code: m for m in measures}
    lines = []
    for p in result.providers:
        tin_npi = by_key[p.key]
        payout = ProviderPayout.objects.create(
            run=run,
            tin_npi=tin_npi,
            practice_id=tin_npi.practice_id,
            attributed_patients=p.attributed_patients,
            points=p.points,
            weight=p.weight,
            earned=p.earned,
            path=p.path.value if p.path else "",
            amount=p.amount,
            capped=p.capped,
        )
        for ln in p.lines:
            lines.append(
                PayoutLine(
                    payout=payout,
                    practice_id=tin_npi.practice_id,
                    measure=by_code[ln.measure],
                    numerator=ln.numerator,
                    denominator=ln.denominator,
                    rate=ln.rate,
                    baseline=ln.baseline,
                    benchmark=ln.benchmark,
                    threshold=ln.threshold,
                    eligible=ln.eligible,
                    earned=ln.earned,
                    path=ln.path.value if ln.path else "",
                    points=ln.points,
                    attainment_points=ln.attainment_points,
                    improvement_points=ln.improvement_points,
                    reason=ln.reason.value if ln.reason else "",
                    amount=ln.amount,
                )
            )
    PayoutLine.objects.bulk_create(lines)
    period.current_run = run
    period.save(update_fields=["current_run"])
    return run


@transaction.atomic
def close_period(*, period: PaymentPeriod, actor=None) -> PayoutRun:
    """Close a period and store its final payouts."""
    period = PaymentPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise P4PError(f"{period.label} is already closed.")
    period.status, period.closed_at = PeriodStatus.CLOSED, timezone.now()
    period.save(update_fields=["status", "closed_at"])
    return compute_payouts(period=period, actor=actor, trigger="close")


# --------------------------------------------------------------------------- practice side


def request_enrollment(
    *, practice: Practice, program: P4PProgram, tin_npi: TinNpi, actor, details: str = ""
):
    """Open an enrollment case (enrollment's service, with its provider checks) for a
    TIN/NPI of the practice in a regional program offered to it."""
    from enrollment.errors import EnrollmentError
    from enrollment.models import CaseKind
    from enrollment.services.cases import open_case

    if not P4PProgram.objects.offered_to(practice).filter(pk=program.pk).exists():
        raise P4PError("This program is not offered to your practice.")
    if tin_npi.practice_id != practice.pk:
        raise P4PError("Choose a provider of your practice.", field="tin_npi")
    text = f"Requested from the P4P program notification for {program}."
    try:
        return open_case(
            practice=practice,
            kind=CaseKind.ENROLL_PROVIDER,
            year=program.year,
            actor=actor,
            tin_npi=tin_npi,
            target_program=program.program,
            details=f"{text}\n{details}".strip(),
        )
    except EnrollmentError as exc:
        raise P4PError(exc.message, field=getattr(exc, "field", None)) from exc
