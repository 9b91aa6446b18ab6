"""The one place that reads the eCQM engine's results (mips.MeasureResult).

Rates and baselines come from the engine's per-entity counts for a performance year. The
engine computes whole calendar years (year to date while the year runs), so a payment
period uses its year's results as of the computation; the payout run keeps the counts it
used, which is what makes a closed period's statement stable.

If the engine's result model changes, only this module changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count


@dataclass(frozen=True)
class EntityCounts:
    """One TIN/NPI's counts for one eCQM population group and year."""

    tin_npi_id: int
    cms_id: str
    group_index: int
    ipp: int
    denom: int
    denex: int
    numer: int
    denexcep: int

    @property
    def performance_denominator(self) -> int:
        return max(self.denom - self.denex - self.denexcep, 0)


MeasureKey = tuple[str, int]  # (cms_id, population group)


def measure_counts(
    *, tin_npi_ids: Iterable[int], year: int, measures: Iterable[MeasureKey]
) -> dict[tuple[int, str, int], EntityCounts]:
    """{(tin_npi_id, cms_id, group): counts} of the whole population (stratum 0).

    The caller provides the scope: a practice's scope for its own TIN/NPIs, or
    scopes_disabled() for program-wide work."""
    from mips.models import MeasureResult

    ids = list(tin_npi_ids)
    keys = set(measures)
    if not ids or not keys:
        return {}
    rows = MeasureResult.objects.filter(
        tin_npi_id__in=ids,
        year=year,
        stratum=0,
        cms_id__in={cms for cms, _ in keys},
    ).values_list(
        "tin_npi_id", "cms_id", "group_index", "ipp", "denom", "denex", "numer", "denexcep"
    )
    result = {}
    for tin_npi_id, cms_id, group, ipp, denom, denex, numer, denexcep in rows:
        if (cms_id, group) in keys:
            result[(tin_npi_id, cms_id, group)] = EntityCounts(
                tin_npi_id, cms_id, group, ipp, denom, denex, numer, denexcep
            )
    return result


def attributed_patients(
    *, tin_npi_ids: Iterable[int], year: int, cms_ids: Iterable[str]
) -> dict[int, int]:
    """{tin_npi_id: distinct patients attributed to it in any of the measures}."""
    from mips.models import MeasureAttribution
    from practices.models import TinNpi

    pairs = {
        (tin, npi): pk
        for pk, tin, npi in TinNpi.objects.filter(pk__in=list(tin_npi_ids)).values_list(
            "pk", "medical_group__tin", "provider__npi"
        )
    }
    if not pairs:
        return {}
    rows = (
        MeasureAttribution.objects.filter(
            year=year, cms_id__in=list(cms_ids), npi__in={npi for _, npi in pairs}
        )
        .values("tin", "npi")
        .annotate(patients=Count("patient", distinct=True))
    )
    counts = dict.fromkeys(pairs.values(), 0)
    for row in rows:
        pk = pairs.get((row["tin"], row["npi"]))
        if pk is not None:
            counts[pk] = row["patients"]
    return counts
