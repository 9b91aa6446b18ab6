"""Step 7: watch the data flow of a running program (providers without data, measures
below the minimum denominator, missing baselines and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import engine
from .models import Baseline, P4PProgram, ProgramMeasure
from .querysets import participants


@dataclass
class MeasureHealth:
    measure: ProgramMeasure
    with_data: int = 0
    below_minimum: list = field(default_factory=list)  # TIN/NPIs with 0 < denominator < min
    no_data: list = field(default_factory=list)
    missing_baselines: int = 0


@dataclass
class ProgramHealth:
    year: int
    participants: int
    providers_without_data: list
    measures: list[MeasureHealth]

    @property
    def problems(self) -> int:
        return len(self.providers_without_data) + sum(
            len(m.below_minimum) + (m.measure.benchmark is None) for m in self.measures
        )


def data_year(program: P4PProgram) -> int:
    """The eCQM year the payouts read: that of the latest calculated period (a 2025-Q4
    payout reads 2025 results), else the program's year. Monitoring the program's year
    while payouts read another called every paid provider "without any data"."""
    latest = program.periods.exclude(current_run=None).order_by("-ends_on").only("ends_on").first()
    return latest.ends_on.year if latest else program.year


def program_health(program: P4PProgram, year: int | None = None) -> ProgramHealth:
    """Caller provides the scope (staff pages run with scopes disabled)."""
    year = year or data_year(program)
    measures = list(program.measures.filter(is_active=True).order_by("code"))
    tin_npis = list(participants(program))
    counts = engine.measure_counts(
        tin_npi_ids=[t.pk for t in tin_npis],
        year=year,
        measures=[(m.cms_id, m.population_group) for m in measures],
    )
    baselines = set(
        Baseline.objects.filter(measure__in=measures)
        .exclude(value=None)
        .values_list("tin_npi_id", "measure_id")
    )
    health = [MeasureHealth(m) for m in measures]
    without = []
    for t in tin_npis:
        any_data = False
        for h in health:
            c = counts.get((t.pk, h.measure.cms_id, h.measure.population_group))
            denominator = c.performance_denominator if c else 0
            if denominator == 0:
                h.no_data.append(t)
            else:
                any_data = True
                h.with_data += 1
                if denominator < h.measure.min_denominator:
                    h.below_minimum.append((t, denominator))
            if (t.pk, h.measure.pk) not in baselines:
                h.missing_baselines += 1
        if not any_data:
            without.append(t)
    return ProgramHealth(year, len(tin_npis), without, health)
