"""Build a `Qrda3Report` from the engine's stored results for a TIN/NPI or a TIN group.

Counts come from MeasureResult (stratum 0); the supplemental-data breakdown (sex,
ethnicity, race, payer) is counted over the same patients from PatientPopulation joined to
MeasureAttribution (test patients never have population rows). Population UUIDs are the
measure's per year (`identifiers.qrda3_identifiers`: the measure file plus what the
operator added); a measure whose UUIDs are not known is reported with empty ones, which is
enough for the QPP JSON, and the QRDA III writer refuses it (`MissingIdentifiers`).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Exists, OuterRef

from practices.models import MedicalGroup, Practice

from ..models import MeasureAttribution, MeasureResult, PatientPopulation
from .identifiers import MissingIdentifiers, is_complete, measure_identifiers, qrda3_identifiers
from .qrda3_write import (
    ETHNICITIES,
    PAYERS,
    RACES,
    MeasureReport,
    PopulationCount,
    PopulationSet,
    Qrda3Report,
)

COLUMNS = {
    "IPOP": "ipp",
    "DENOM": "denom",
    "NUMER": "numer",
    "DENEX": "denex",
    "DENEXCEP": "denexcep",
}


def payer_category(sop_code: str) -> str:
    """Source of Payment Typology code -> CMS payer SDE code (A Medicare, B Medicaid,
    C private, D other)."""
    if sop_code.startswith("1"):
        return "A"
    if sop_code.startswith("2"):
        return "B"
    if sop_code.startswith(("5", "6")):
        return "C"
    return "D"


def _breakdown(rows) -> dict[str, Counter]:
    out = {"sex": Counter(), "ethnicity": Counter(), "race": Counter(), "payer": Counter()}
    for sex, ethnicity, race, payer in rows:
        if sex in ("M", "F"):
            out["sex"][sex] += 1
        if ethnicity in ETHNICITIES:
            out["ethnicity"][ethnicity] += 1
        out["race"][race if race in RACES else "2131-1"] += 1
        out["payer"][payer_category(payer or "")] += 1
    return out


def _with_all_codes(counter: Counter, codes) -> dict[str, int]:
    # The CMS IG wants every SDE reported, so known codes are listed even at zero.
    return {code: counter.get(code, 0) for code in codes}


def build_report(
    practice: Practice, *, year: int, tin: str, npi: str | None, cehrt_id: str
) -> Qrda3Report:
    """The QRDA III content for an individual (npi) or group (npi=None) for `year`."""
    identifiers = qrda3_identifiers(year)
    titles = measure_identifiers().get(str(year), {})
    results = MeasureResult.objects.filter(
        practice=practice, year=year, tin=tin, npi=npi or "", stratum=0
    ).order_by("cms_id", "group_index")
    by_measure: dict[str, list[MeasureResult]] = defaultdict(list)
    for result in results:
        by_measure[result.cms_id].append(result)
    attributed = MeasureAttribution.objects.filter(
        practice=practice,
        year=year,
        tin=tin,
        cms_id=OuterRef("cms_id"),
        patient=OuterRef("patient"),
    )
    if npi:
        attributed = attributed.filter(npi=npi)
    flags: dict[tuple[str, int, str], list] = defaultdict(list)
    rows = (
        PatientPopulation.objects.filter(practice=practice, year=year, cms_id__in=list(by_measure))
        .filter(Exists(attributed))
        .values_list(
            "cms_id", "group_index", "ipp", "denom", "numer", "denex", "denexcep",
            "patient__sex", "patient__ethnicity_code", "patient__race_code", "patient__payer_code",
        )
    )  # fmt: skip
    for cms_id, index, *pops, sex, ethnicity, race, payer in rows:
        for code, member in zip(COLUMNS, pops, strict=True):
            if member:
                flags[(cms_id, index, code)].append((sex, ethnicity, race, payer))
    measures: list[MeasureReport] = []
    for cms_id, group_results in by_measure.items():
        meta = identifiers.get(cms_id) or {}
        known = is_complete(meta, len(group_results))
        strata = meta.get("strata") or []
        sets = []
        for result in group_results:
            uuids = strata[result.group_index]["uuids"] if known else {}
            populations = {}
            for code, column in COLUMNS.items():
                sde = _breakdown(flags.get((cms_id, result.group_index, code), []))
                populations[code] = PopulationCount(
                    count=getattr(result, column),
                    sex=_with_all_codes(sde["sex"], ("F", "M")),
                    ethnicity=_with_all_codes(sde["ethnicity"], ETHNICITIES),
                    race=_with_all_codes(sde["race"], RACES),
                    payer=_with_all_codes(sde["payer"], PAYERS),
                )
            sets.append(PopulationSet(uuids=uuids, populations=populations))
        title = titles.get(cms_id, {}).get("title", cms_id)
        version_uuid = meta["version_uuid"] if known else ""
        measures.append(
            MeasureReport(cms_id, title, version_uuid, sets, meta.get("ecqm_id", cms_id))
        )
    group = MedicalGroup.objects.filter(practice=practice, tin=tin).first()
    return Qrda3Report(
        year=year, tin=tin, npi=npi, organization=group.name if group else practice.name,
        measures=measures, cehrt_id=cehrt_id,
    )  # fmt: skip


__all__ = ["MissingIdentifiers", "build_report", "measure_identifiers", "payer_category"]
