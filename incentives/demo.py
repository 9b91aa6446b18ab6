"""Demo: the regional program `demo-regional-p4p` (Ohio, 2025) designed along the seven
steps, with eCQM results for 2024 (baseline) and 2025, and the closed period 2025-Q4 in
which Kowalski earns by improvement, Brooks by the benchmark and Marquez earns nothing.
Dr. Okafor takes part with whatever the eCQM engine computed from the mips demo patients.

Idempotent. The eCQM results of the three designed providers are written as a demo run
(trigger "p4p-demo") only where the engine has no result of its own; the engine's nightly
recalculation may replace them, which leaves the closed 2025-Q4 as it is (final).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enrollment.kinds import ProgramKind
from enrollment.models import Measure, Program
from enrollment.services.enrollments import enroll_tin_npi
from mips.models import EcqmRun, MeasureResult

from . import services
from .models import (
    GapAnalysis,
    MeasureAssignment,
    P4PProgram,
    PaymentModel,
    PaymentPeriod,
    Phase,
    ProgramMeasure,
    ServiceArea,
)

SLUG = "demo-regional-p4p"
DEMO_TRIGGER = "p4p-demo"

MEASURES = {
    # code: (cms id, mips id, title, inverse, fixed benchmark)
    "BP": ("CMS165", "236", "Controlling High Blood Pressure", False, Decimal("80")),
    "A1C": ("CMS122", "001", "Diabetes: HbA1c poor control (>9%)", True, Decimal("20")),
}
# provider: {measure: ((2024 numerator, denominator), (2025 numerator, denominator))}
RESULTS = {
    # BP 58 % -> 65 %: improved by 7 points (>= 5); A1C 40 % -> 36 %: only 4 points better.
    "Kowalski": {"BP": ((29, 50), (39, 60)), "A1C": ((20, 50), (18, 50))},
    # BP 85 % and A1C 15 % (lower is better): both at the benchmark.
    "Brooks": {"BP": ((40, 50), (51, 60)), "A1C": ((10, 50), (9, 60))},
    # Only 8 BP patients (minimum 10: the monitoring shows it), A1C worse: earns nothing.
    "Marquez": {"BP": ((5, 8), (7, 8)), "A1C": ((20, 50), (21, 50))},
}
# Takes part with the engine's own results (mips demo), without a baseline.
ENGINE_ONLY = ["Okafor"]


def seed(ctx) -> None:
    practice = ctx.practices["seven-hills"]
    north = ctx.groups["north"]
    program, _ = Program.objects.update_or_create(
        year=2025,
        code=SLUG,
        defaults={
            "kind": ProgramKind.REGIONAL,
            "name": "Ohio Regional Quality P4P",
            "region": practice.region or "Ohio",
            "description": "Blood pressure and diabetes control in adult primary care.",
            "submits_to_cms": False,
        },
    )
    p4p, _ = P4PProgram.objects.update_or_create(
        slug=SLUG,
        defaults={
            "program": program,
            "baseline_year": 2024,
            "population": "Adults with hypertension or diabetes served by Ohio practices; "
            "both conditions drive most avoidable admissions in the region.",
        },
    )
    measures = _measures(p4p, program)
    _design(p4p, measures)
    tin_npis = {
        last: north.tin_npis.get(provider=ctx.providers[f"seven-hills:{last}"])
        for last in [*RESULTS, *ENGINE_ONLY]
    }
    for tin_npi in tin_npis.values():
        enroll_tin_npi(tin_npi=tin_npi, program=program, year=2025, source="operator")
    _results(tin_npis, measures)

    if p4p.status == "design":
        services.start_program(program=p4p)  # participation
        services.advance_phase(program=p4p)  # reporting
        services.advance_phase(program=p4p)  # performance
    services.compute_baselines(program=p4p)
    services.compute_benchmarks(program=p4p)
    services.create_periods(program=p4p)
    q3 = PaymentPeriod.objects.get(program=p4p, label="2025-Q3")
    services.compute_payouts(period=q3, trigger="demo")
    q4 = PaymentPeriod.objects.get(program=p4p, label="2025-Q4")
    if q4.is_closed:
        run = services.compute_payouts(period=q4, trigger="demo")
    else:
        run = services.close_period(period=q4)
    paid = ", ".join(
        f"{p.tin_npi.provider.last_name} {p.path or 'nothing'} ${p.amount}"
        for p in run.payouts.select_related("tin_npi__provider").order_by("-amount")
    )
    ctx.log.append(f"incentives: {SLUG} 2025-Q4 closed, pool ${run.pool}: {paid}")


def _measures(p4p, program) -> dict[str, ProgramMeasure]:
    out = {}
    for code, (cms_id, mips_id, title, inverse, benchmark) in MEASURES.items():
        catalog = Measure.objects.filter(year=2025, measure_id=mips_id).first()
        if catalog:
            program.measures.add(catalog)
        out[code], _ = ProgramMeasure.objects.update_or_create(
            program=p4p,
            code=code,
            defaults={
                "catalog_measure": catalog,
                "title": title,
                "cms_id": cms_id,
                "inverse": inverse,
                "min_denominator": 10,
                "benchmark_kind": "fixed",
                "benchmark_target": benchmark,
                "numerator_definition": "See the eCQM specification " + cms_id,
                "denominator_definition": "See the eCQM specification " + cms_id,
            },
        )
        GapAnalysis.objects.update_or_create(
            measure=out[code],
            defaults={
                "data_source": "ecqm",
                "data_available": True,
                "collection_method": "Calculated nightly from EHR data (eCQM engine)",
                "provider_readiness": "ready",
                "payer_readiness": "ready",
            },
        )
    dropped, _ = ProgramMeasure.objects.update_or_create(
        program=p4p,
        code="DEP",
        defaults={
            "title": "Depression screening and follow-up",
            "cms_id": "CMS2",
            "is_active": False,
            "dropped_reason": "Follow-up plans are not recorded in structured fields yet.",
            "benchmark_target": Decimal("60"),
        },
    )
    GapAnalysis.objects.update_or_create(
        measure=dropped,
        defaults={
            "data_source": "ecqm",
            "data_available": False,
            "collection_method": "EHR template change needed",
            "provider_readiness": "not_ready",
            "payer_readiness": "ready",
            "gaps": "Add a structured follow-up plan to the screening template.",
            "estimated_cost": Decimal("12000.00"),
            "estimated_weeks": 16,
        },
    )
    return out


def _design(p4p, measures) -> None:
    areas = {
        "Primary care": {"BP": True, "A1C": True},
        "Cardiology": {"BP": True},
        "Endocrinology": {"A1C": True},
    }
    for name, picks in areas.items():
        area, _ = ServiceArea.objects.get_or_create(program=p4p, name=name)
        for code, vital in picks.items():
            MeasureAssignment.objects.update_or_create(
                service_area=area, measure=measures[code], defaults={"is_vital_few": vital}
            )
    for kind, start, end in (
        ("participation", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("reporting", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        ("performance", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
    ):
        Phase.objects.update_or_create(
            program=p4p, kind=kind, defaults={"starts_on": start, "ends_on": end}
        )
    PaymentModel.objects.update_or_create(
        program=p4p,
        defaults={
            "annual_pool": Decimal("40000.00"),
            "frequency": "quarterly",
            "algorithm": "improvement_or_benchmark",
            "improvement_target": Decimal("5"),
            "participation_amount": Decimal("500.00"),
        },
    )


def _results(tin_npis, measures) -> None:
    for year, index in ((2024, 0), (2025, 1)):
        for last, by_measure in RESULTS.items():
            tin_npi = tin_npis[last]
            run = None
            for code, counts in by_measure.items():
                m = measures[code]
                numer, denom = counts[index]
                key = {
                    "practice_id": tin_npi.practice_id,
                    "year": year,
                    "cms_id": m.cms_id,
                    "group_index": 0,
                    "stratum": 0,
                    "tin": tin_npi.medical_group.tin,
                    "npi": tin_npi.provider.npi,
                }
                existing = MeasureResult.objects.filter(**key).select_related("run").first()
                if existing and existing.run.trigger != DEMO_TRIGGER:
                    continue  # the engine's own result wins
                run = run or _demo_run(tin_npi.practice_id, year)
                MeasureResult.objects.update_or_create(
                    **key,
                    defaults={
                        "run": run,
                        "mips_id": MEASURES[code][1],
                        "tin_npi": tin_npi,
                        "medical_group_id": tin_npi.medical_group_id,
                        "inverse": m.inverse,
                        "ipp": denom,
                        "denom": denom,
                        "numer": numer,
                        "denex": 0,
                        "denexcep": 0,
                    },
                )


def _demo_run(practice_id, year):
    run = EcqmRun.objects.filter(practice_id=practice_id, year=year, trigger=DEMO_TRIGGER).first()
    return run or EcqmRun.objects.create(
        practice_id=practice_id, year=year, trigger=DEMO_TRIGGER, started_at=timezone.now()
    )
