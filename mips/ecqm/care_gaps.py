"""Care-gap worklists read from the stored per-patient populations (either engine).

A care gap of a measure population group, as CMS counts performance:
- a direct measure: in the denominator, not excluded, no exception, not in the numerator
  ("performance not met");
- an inverse measure (CMS's isInverse, e.g. CMS122 "HbA1c > 9%"): in the numerator (the
  poor outcome), not excluded, no exception.

Per entity (a TIN/NPI, or a TIN group with npi=""), the patients are those attributed to
it (MeasureAttribution), test patients never (also when marked after the last run). Every
read is one SQL query whatever the size of the practice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery

from practices.models import Practice

from ..models import ClinicalFact, MeasureAttribution, MeasureResult, PatientPopulation
from ..scoring.direction import is_inverse

GAP_SORTS = {
    "name": ("patient__family_name", "patient__given_name", "patient_id"),
    "birth": ("patient__birth_date", "patient_id"),
    "visit": ("last_visit", "patient_id"),
}


@dataclass(frozen=True)
class GapCount:
    """One measure population group of an entity with its gap count."""

    cms_id: str
    mips_id: str
    group_index: int
    inverse: bool
    denominator: int  # performance denominator: DENOM - DENEX - DENEXCEP
    gaps: int

    @property
    def key(self) -> str:
        return f"{self.cms_id}:{self.group_index}"


def gap_filter(inverse: bool) -> Q:
    """The population flags of a care gap (see the module docstring)."""
    return Q(denom=True, denex=False, denexcep=False, numer=inverse)


def gap_counts(practice: Practice, year: int, *, tin: str, npi: str) -> list[GapCount]:
    """Every measure group with results for the entity, with its gap count (one query)."""
    found = []
    for r in MeasureResult.objects.filter(
        practice=practice, year=year, tin=tin, npi=npi, stratum=0
    ).order_by("mips_id", "cms_id", "group_index"):
        inverse = is_inverse(year, r.mips_id, r.inverse)
        gaps = r.numer if inverse else r.performance_not_met
        found.append(GapCount(r.cms_id, r.mips_id, r.group_index, inverse,
                              r.performance_denominator, gaps))  # fmt: skip
    return found


def _attributed(practice: Practice, year: int, cms_id: str, tin: str, npi: str):
    rows = MeasureAttribution.objects.filter(
        practice=practice, year=year, cms_id=cms_id, tin=tin, patient=OuterRef("patient")
    )
    return rows.filter(npi=npi) if npi else rows


def last_visit(practice: Practice, *, tin: str, npi: str, patient_ref="patient"):
    """The patient's latest encounter billed to the entity (a subquery)."""
    visits = ClinicalFact.objects.filter(
        practice=practice, patient=OuterRef(patient_ref), kind="encounter", billing_tin=tin
    )
    if npi:
        visits = visits.filter(rendering_npi=npi)
    return Subquery(
        visits.order_by().values("patient").annotate(last=Max("start_at")).values("last")[:1]
    )


def gap_patients(
    practice: Practice,
    year: int,
    cms_id: str,
    *,
    tin: str,
    npi: str,
    group_index: int,
    inverse: bool,
    search: str = "",
    sort: str = "name",
) -> QuerySet[PatientPopulation]:
    """The entity's gap patients of one measure group, with the patient and the last visit
    (`last_visit`), sorted by `sort` (a GAP_SORTS key, "-" for descending)."""
    rows = (
        PatientPopulation.objects.filter(
            practice=practice, year=year, cms_id=cms_id, group_index=group_index
        )
        .filter(gap_filter(inverse), patient__is_test=False)
        .filter(Exists(_attributed(practice, year, cms_id, tin, npi)))
        .select_related("patient")
        .annotate(last_visit=last_visit(practice, tin=tin, npi=npi))
    )
    if search:
        rows = rows.filter(
            Q(patient__family_name__icontains=search)
            | Q(patient__given_name__icontains=search)
            | Q(patient__mrn__iexact=search)
        )
    terms = GAP_SORTS.get(sort.lstrip("-"), GAP_SORTS["name"])
    if sort.startswith("-"):  # a patient never seen by the entity sorts last descending
        order = [F(t).desc(nulls_last=True) for t in terms]
    else:
        order = [F(t).asc(nulls_first=True) for t in terms]
    return rows.order_by(*order)


def patient_memberships(practice: Practice, year: int, patient_id: int, *, entities=None):
    """The patient's population rows of the year, and per measure the (TIN, NPI) pairs it
    counts for (two queries). `entities`: only measures attributed to these (TIN, NPI)
    pairs (a clinician's view)."""
    attributions: dict[str, list[tuple[str, str]]] = {}
    for cms_id, tin, npi in MeasureAttribution.objects.filter(
        practice=practice, year=year, patient_id=patient_id
    ).values_list("cms_id", "tin", "npi"):
        if entities is None or (tin, npi) in entities:
            attributions.setdefault(cms_id, []).append((tin, npi))
    rows = PatientPopulation.objects.filter(
        practice=practice, year=year, patient_id=patient_id, cms_id__in=list(attributions)
    ).order_by("cms_id", "group_index")
    return list(rows), attributions
