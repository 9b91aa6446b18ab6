"""The QPP Submissions API document (submission + measurement sets) for an entity and year.

Shapes follow QPP_API.md part 2: quality measurements use the measure's metricType
(singlePerformanceRate: performanceMet / performanceNotMet / eligiblePopulation /
eligiblePopulationExclusion / eligiblePopulationException; multiPerformanceRate: the same
per stratum), IA and PI are booleans or numerator/denominator. Built from a Qrda3Report, so
the QRDA III file and the JSON always carry the same numbers (as CMS's converter would
derive them from the file).
"""

from __future__ import annotations

from typing import Any

from mips.qrda.qrda3_data import measure_identifiers
from mips.qrda.qrda3_write import PopulationSet, Qrda3Report


def _counts(pset: PopulationSet) -> dict[str, Any]:
    get = {k: v.count for k, v in pset.populations.items()}.get
    met, denom = get("NUMER", 0), get("DENOM", 0)
    excl, excep = get("DENEX", 0), get("DENEXCEP", 0)
    return {
        "performanceMet": met,
        "performanceNotMet": max(denom - met - excl - excep, 0),
        "eligiblePopulation": denom,
        "eligiblePopulationExclusion": excl,
        "eligiblePopulationException": excep,
    }


def _period(year: int, dates) -> dict[str, str]:
    """performanceStart/End of a measurement set: its own period, else the calendar year."""
    if dates:
        return {"performanceStart": dates[0].isoformat(), "performanceEnd": dates[1].isoformat()}
    return {"performanceStart": f"{year}-01-01", "performanceEnd": f"{year}-12-31"}


def submission_document(
    report: Qrda3Report,
    *,
    submission_method: str = "electronicHealthRecord",
    program_name: str = "mips",
) -> dict[str, Any]:
    """{performanceYear, entityType, taxpayerIdentificationNumber, [nationalProviderIdentifier],
    measurementSets: [...]} for the report's entity."""
    year = report.year
    meta = measure_identifiers().get(str(year), {})
    # An MVP's measurement sets carry the MVP id as programName (QPP_API.md 2.3).
    base = {
        "submissionMethod": submission_method,
        "programName": program_name,
        **_period(year, None),
    }
    sets: list[dict[str, Any]] = []
    if report.measures:
        measurements = []
        for measure in report.measures:
            info = meta.get(measure.cms_id, {})
            value: dict[str, Any] = {"isEndToEndReported": True}
            if info.get("metric_type") == "multiPerformanceRate":
                names = [s.get("name") or str(i) for i, s in enumerate(info.get("strata", []))]
                value["strata"] = [
                    {**_counts(pset), "stratum": names[i] if i < len(names) else str(i)}
                    for i, pset in enumerate(measure.population_sets)
                ]
            else:
                value.update(_counts(measure.population_sets[0]))
            measurements.append({"measureId": info.get("mips_id", measure.cms_id), "value": value})
        sets.append(
            {
                "category": "quality",
                "cehrtId": report.cehrt_id,
                **base,
                "measurements": measurements,
            }
        )
    if report.ia:
        sets.append(
            {
                "category": "ia",
                **base,
                **_period(year, report.ia_period),
                "measurements": [
                    {"measureId": k, "value": v} for k, v in sorted(report.ia.items())
                ],
            }
        )
    if report.pi_proportions or report.pi_booleans:
        pi = [
            {"measureId": k, "value": {"numerator": n, "denominator": d}}
            for k, (n, d) in sorted(report.pi_proportions.items())
        ] + [{"measureId": k, "value": v} for k, v in sorted(report.pi_booleans.items())]
        sets.append(
            {
                "category": "pi",
                "cehrtId": report.cehrt_id,
                **base,
                **_period(year, report.pi_period),
                "measurements": pi,
            }
        )
    document: dict[str, Any] = {
        "performanceYear": year,
        "entityType": "individual" if report.npi else "group",
        "taxpayerIdentificationNumber": report.tin,
        "measurementSets": sets,
    }
    if report.npi:
        document["nationalProviderIdentifier"] = report.npi
    return document
