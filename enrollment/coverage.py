"""Whether an entity is enrolled in a quality measure: the one rule, for rows in memory
(`covered_measures`) and for rows in SQL (`enrolled_results`).

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

from django.db.models import Exists, OuterRef, QuerySet

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


def enrolled_results(results: QuerySet, year: int) -> QuerySet:
    """The same rule in SQL: `results` (eCQM result rows with `tin_npi_id`,
    `medical_group_id`, `npi`, `mips_id`, as mips.MeasureResult) narrowed to the rows whose
    entity is enrolled in the row's measure. A row with an NPI is a clinician's; one without
    is its TIN's. One branch per way of being enrolled, each a plain join or semi-join, the
    rows of any branch kept: an OR of correlated subqueries is run per row instead (minutes
    over 200,000 results)."""
    covering = Enrollment.objects.filter(
        status=EnrollmentStatus.ACTIVE, year=year, program__kind__in=QUALITY_SUBMITTING_KINDS
    )
    # Enrollments naming no measure cover the whole catalog.
    whole = covering.filter(~Exists(EnrollmentMeasure.objects.filter(enrollment=OuterRef("pk"))))

    def naming(**entity) -> Exists:
        return Exists(
            EnrollmentMeasure.objects.filter(
                enrollment__in=covering, measure__measure_id=OuterRef("mips_id"), **entity
            )
        )

    results = results.order_by()
    clinicians, groups = results.filter(npi__gt=""), results.filter(npi="")
    tin_level = {"tin_npi__isnull": True}
    both = {**tin_level, "level": Level.BOTH}
    on_tin = {"enrollment__tin_npi__isnull": True,
              "enrollment__medical_group_id": OuterRef("medical_group_id")}  # fmt: skip
    branches = [
        clinicians.filter(tin_npi_id__in=whole.filter(tin_npi__isnull=False).values("tin_npi_id")),
        clinicians.filter(naming(enrollment__tin_npi_id=OuterRef("tin_npi_id"))),
        clinicians.filter(medical_group_id__in=whole.filter(**both).values("medical_group_id")),
        clinicians.filter(naming(**on_tin, enrollment__level=Level.BOTH)),
        groups.filter(medical_group_id__in=whole.filter(**tin_level).values("medical_group_id")),
        groups.filter(naming(**on_tin)),
    ]
    first, *rest = (b.values("pk") for b in branches)
    return results.filter(pk__in=first.union(*rest))
