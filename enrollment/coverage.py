"""Whether an entity is enrolled in a quality measure: the one rule, for rows in memory
(`covered_measures`) and for rows in SQL (`enrolled_in_measure`).

An entity's quality enrollments are its active enrollments in a program that submits
quality (MIPS Quality, an MVP): a clinician's own, and her TIN's at level "group and
individual"; a TIN's group enrollments. Each enrollment covers the measures it names, or
the whole catalog when it names none, and the entity is enrolled in a measure when any of
them covers it. So a catalog-wide enrollment is never narrowed by another enrollment that
names measures: naming measures adds to what an entity reports, it does not take the rest
of the catalog away (the recalculation used to narrow it while the network average did
not, so the two disagreed about such an entity).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db.models import Exists, OuterRef, Q

from .kinds import QUALITY_SUBMITTING_KINDS
from .models import Enrollment, EnrollmentMeasure, EnrollmentStatus, Level


def covered_measures(named: Iterable[Collection[str]]) -> frozenset[str] | None:
    """The quality measures an entity is enrolled in, given the measure ids each of its
    quality enrollments names: None (the whole catalog) when any enrollment names none."""
    covered: set[str] = set()
    for ids in named:
        if not ids:
            return None
        covered.update(ids)
    return frozenset(covered)


def enrolled_in_measure(year: int) -> Q:
    """The same rule as a filter on eCQM result rows (`tin_npi_id`, `medical_group_id`,
    `npi`, `mips_id`, as on mips.MeasureResult): the row's entity is enrolled in the row's
    measure. A row with an NPI is a clinician's; one without is its TIN's."""
    names_measure = EnrollmentMeasure.objects.filter(
        enrollment=OuterRef("pk"), measure__measure_id=OuterRef(OuterRef("mips_id"))
    )
    names_any = EnrollmentMeasure.objects.filter(enrollment=OuterRef("pk"))
    covering = (
        Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE, year=year, program__kind__in=QUALITY_SUBMITTING_KINDS
        )
        .annotate(_names=Exists(names_measure), _any=Exists(names_any))
        .filter(Q(_names=True) | Q(_any=False))
    )
    tin_level = covering.filter(tin_npi__isnull=True, medical_group_id=OuterRef("medical_group_id"))
    clinician = Q(npi__gt="") & (
        Exists(covering.filter(tin_npi_id=OuterRef("tin_npi_id")))
        | Exists(tin_level.filter(level=Level.BOTH))
    )
    group = Q(npi="") & Exists(tin_level)
    return clinician | group
