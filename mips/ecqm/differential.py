"""The fast engine checked against the reference engine (fqm-execution running the
published ELM), patient by patient.

Three comparisons over the same stored patients:

- **shared definitions**: the hand-written readings of the shared CQL libraries the six
  measures use (AdultOutpatientEncounters, Hospice, PalliativeCare, AdvancedIllnessand-
  Frailty) against those libraries' own statements, evaluated by the reference engine
  inside a shipped measure that includes the same library versions (the twin mapping's
  host where it proves them, else HOSTS);
- **population twins**: a population definition of the six whose CQL is, token for token,
  a statement of the shipped logic (data/ecqm_twins.json, scripts/derive_ecqm_twins.py)
  against that statement, on the patients for whom the fast engine evaluates the
  definition (the cascade: DENEX within DENOM, NUMER within DENOM and not DENEX, ...);
- **whole measures**: for each of the six whose measure content is shipped for the year,
  every population of every group. The shared research pack holds no measure bundle for
  the six (only their decks), so `report.skipped` names them until such content exists.

Runs in management commands and tests (Node), never in a web request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..models import Patient
from . import library as L
from . import oids as O
from .candidates import PatientFacts, select_candidates
from .engine import evaluate_measure
from .measures import MEASURE_CLASSES
from .reference import content
from .reference.bundles import bundle_id, patient_bundles
from .reference.process import engine
from .timing import Period

POPULATIONS = ("IPP", "DENOM", "DENEX", "NUMER", "DENEXCEP")


def _age_66(p: PatientFacts, mp: Period) -> bool:
    age = L.age_at_end(p, mp)
    return age is not None and age >= 66


# "Library.Statement" -> the fast engine's reading of it.
SHARED: dict[str, Callable[[PatientFacts, Period, int], bool]] = {
    "AdultOutpatientEncounters.Qualifying Encounters": lambda p, mp, y: bool(
        L.qualifying_encounters(p, mp, y)
    ),
    "Hospice.Has Hospice Services": L.has_hospice,
    "PalliativeCare.Has Palliative Care in the Measurement Period": L.has_palliative_care,
    "AdvancedIllnessandFrailty.Has Criteria Indicating Frailty": L.has_frailty,
    "AdvancedIllnessandFrailty.Has Advanced Illness in Year Before or During Measurement "
    "Period": L.has_advanced_illness,
    "AdvancedIllnessandFrailty.Has Dementia Medications in Year Before or During Measurement "
    "Period": L.has_dementia_medication,
    "AdvancedIllnessandFrailty.Is Age 66 or Older with Advanced Illness and Frailty": (
        lambda p, mp, y: (
            _age_66(p, mp)
            and L.has_frailty(p, mp, y)
            and (L.has_advanced_illness(p, mp, y) or L.has_dementia_medication(p, mp, y))
        )
    ),
    "AdvancedIllnessandFrailty.Is Age 66 or Older Living Long Term in a Nursing Home": (
        lambda p, mp, y: _age_66(p, mp) and L.lives_in_nursing_home(p, mp, y)
    ),
}
# A shipped measure whose library closure has the shared libraries at the versions the six
# measures include (CMS122v13 etc. in PY2025: AdultOutpatientEncounters 4.11.000, Hospice
# 6.12.000, PalliativeCare 1.11.000, AdvancedIllnessandFrailty 1.16.000; CMS125 has the
# same; PY2026 likewise with the 2025 release's versions).
HOSTS = {2025: "CMS125", 2026: "CMS125"}
SHARED_OIDS = (
    set(L.ADULT_OUTPATIENT_2025)
    | L.SHARED_OIDS
    | L.FRAILTY_OIDS
    | {
        O.LIVES_IN_NURSING_HOME,
        O.YES,
        O.DISCHARGE_HOSPICE_HOME,
        O.DISCHARGE_HOSPICE_FACILITY,
    }
)


TWINS = Path(__file__).resolve().parent / "data" / "ecqm_twins.json"
# A population is the raw definition only where the cascade lets the definition decide:
# population -> the populations (fast engine) that must hold, and those that must not.
GATES = {
    "IPP": ((), ()),
    "DENOM": (("IPP",), ()),
    "DENEX": (("DENOM",), ()),
    "NUMER": (("DENOM",), ("DENEX",)),
    "DENEXCEP": (("DENOM",), ("DENEX", "NUMER")),
}


@lru_cache(maxsize=1)
def _twins() -> dict:
    return json.loads(TWINS.read_text())


def population_twins(year: int) -> dict[str, tuple[str, int, str, str, str]]:
    """{check: (cms_id, group index, population, "Library.Statement" of the twin, host
    measure)} of the year's mapped population definitions, checks named "CMS122 g0 DENEX"."""
    out = {}
    for cms_id, m in _twins()["years"].get(str(year), {}).items():
        for index, group in enumerate(m["groups"]):
            for pop, twin in group.items():
                if "statement" in twin:
                    statement = f"{twin['library']}.{twin['statement']}"
                    out[f"{cms_id} g{index} {pop}"] = (cms_id, index, pop, statement, twin["host"])
    return out


def shared_host(year: int, check: str) -> str:
    """The shipped measure proven to hold the six's version of a shared definition (the
    twin mapping), else HOSTS (PY2026: the mapping proves nothing, see the script)."""
    for m in _twins()["years"].get(str(year), {}).values():
        twin = m["called"].get(check, {})
        if twin.get("statement") == check.split(".", 1)[1]:
            return twin["host"]
    return HOSTS[year]


@dataclass
class Report:
    year: int
    patients: int = 0
    compared: dict[str, int] = field(default_factory=dict)  # check -> patients compared
    positives: dict[str, int] = field(default_factory=dict)  # check -> true per reference
    differences: list[tuple[str, str, object, object]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def count(self, check: str, reference_true: bool) -> None:
        self.compared[check] = self.compared.get(check, 0) + 1
        self.positives[check] = self.positives.get(check, 0) + int(bool(reference_true))

    def lines(self) -> list[str]:
        out = [f"{self.year}: {self.patients} patients, {len(self.differences)} differences"]
        for check, n in self.compared.items():
            out.append(f"  {check}: {n} compared, {self.positives[check]} true")
        out += [f"  skipped: {reason}" for reason in self.skipped]
        out += [
            f"  DIFF {source_id} {check}: fast={fast} reference={ref}"
            for source_id, check, fast, ref in self.differences
        ]
        return out


def _facts(practice_id: int, year: int, patient_ids: list[int], oids) -> dict[int, PatientFacts]:
    """Every patient, with its facts in `oids` (patients without any get an empty view:
    the shared definitions must be false for them, which is compared too)."""
    found = select_candidates(practice_id, year, oids, patient_ids)
    rows = Patient.objects.filter(pk__in=patient_ids).values_list("pk", "birth_date", "source_id")
    return {pk: found.get(pk) or PatientFacts(pk, birth, source) for pk, birth, source in rows}


def _reference(year: int, cms_id: str, bundles: dict[int, dict], statements, batch: int):
    runner = engine()
    by_ref = {bundle_id(pk): pk for pk in bundles}
    ids = list(bundles)
    results: dict[int, dict] = {}
    for i in range(0, len(ids), batch):
        chunk = [bundles[pk] for pk in ids[i : i + batch]]
        for result in runner.calculate(cms_id, year, chunk, statements=statements):
            results[by_ref[result["patient"]]] = result
    return results


def compare(
    practice, year: int, *, patient_ids: list[int] | None = None, batch: int = 50
) -> Report:
    """Compare both engines on the practice's non-test patients (or `patient_ids`)."""
    if patient_ids is None:
        patient_ids = list(
            Patient.objects.filter(practice=practice, is_test=False).values_list("pk", flat=True)
        )
    report = Report(year=year, patients=len(patient_ids))
    bundles = patient_bundles(patient_ids)
    mp = Period.year(year)
    hosts: dict[str, list[str]] = {}
    for check in SHARED:
        hosts.setdefault(shared_host(year, check), []).append(check)
    twins = population_twins(year)
    for *_, statement, host in twins.values():
        hosts.setdefault(host, []).append(statement)
    reference = {
        host: _reference(year, host, bundles, wanted, batch) for host, wanted in hosts.items()
    }
    facts = _facts(practice.pk, year, patient_ids, SHARED_OIDS)
    for check, fast_reading in SHARED.items():
        host = shared_host(year, check)
        for pk, result in reference[host].items():
            ref = _statement(report, host, result, check)
            if ref is None:
                break
            p = facts[pk]
            fast = bool(fast_reading(p, mp, year))
            report.count(check, ref)
            if fast != ref:
                report.differences.append((p.source_id, check, fast, ref))
    _compare_twins(practice, year, twins, reference, facts, report)
    for cms_id in MEASURE_CLASSES:
        if not content.has_measure(cms_id, year):
            report.skipped.append(f"{cms_id}: no measure content for {year} (whole measure)")
            continue
        _compare_measure(practice, year, cms_id, bundles, facts, report, batch)
    return report


def _statement(report: Report, host: str, result: dict, statement: str) -> bool | None:
    """The reference engine's value of a statement (a list counts when not empty, a null
    is false as in a population), None when the host has no such statement."""
    values = result.get("statements", {})
    if statement not in values:
        if f"{host} has no statement {statement}" not in report.skipped:
            report.skipped.append(f"{host} has no statement {statement}")
        return None
    return bool(values[statement])


def _compare_twins(practice, year, twins, reference, facts, report: Report) -> None:
    fast = {cms_id: evaluate_measure(practice, year, cms_id) for cms_id, *_ in twins.values()}
    for check, (cms_id, index, pop, statement, host) in twins.items():
        needs, refuses = GATES[pop]
        for pk, result in reference[host].items():
            evaluation = fast[cms_id].get(pk)
            ours = evaluation.groups[index].as_dict() if evaluation else {}
            if not all(ours.get(g) for g in needs) or any(ours.get(g) for g in refuses):
                continue
            ref = _statement(report, host, result, statement)
            if ref is None:
                break
            report.count(check, ref)
            if bool(ours.get(pop)) != ref:
                report.differences.append((facts[pk].source_id, check, ours.get(pop, 0), ref))


def _compare_measure(practice, year, cms_id, bundles, facts, report: Report, batch: int) -> None:
    fast = evaluate_measure(practice, year, cms_id)
    reference = _reference(year, cms_id, bundles, [], batch)
    for pk, result in reference.items():
        evaluation = fast.get(pk)
        fast_groups = [g.as_dict() for g in evaluation.groups] if evaluation else []
        for index, ref_group in enumerate(result["groups"]):
            check = f"{cms_id} group {index}"
            ours = fast_groups[index] if index < len(fast_groups) else dict.fromkeys(POPULATIONS, 0)
            theirs = {p: int(ref_group.get(p, 0)) for p in POPULATIONS}
            report.count(check, theirs["IPP"])
            if ours != theirs:
                report.differences.append((facts[pk].source_id, check, ours, theirs))
