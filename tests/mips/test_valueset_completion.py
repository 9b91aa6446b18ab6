"""PY2026 value sets CMS published cut at 1,000 codes (Advanced Illness, Pregnancy, Pregnancy
Obstetric or Maternal Diagnoses) are completed for the hand-written engine as for the
reference engine (scripts/derive_valuesets.py), and the six measures say so like the others.
Found by the engine differential: a deck patient with N18.5 (chronic kidney disease stage 5)
had advanced illness for the reference engine only. Source of the gap: the pack README,
Known gaps 1 (expansions paged at 1,000 codes)."""

from __future__ import annotations

import json

from mips.ecqm import catalog, valuesets
from mips.ecqm.reference import content
from mips.ecqm.results import _truncated

ADVANCED_ILLNESS = "2.16.840.1.113883.3.464.1003.110.12.1082"
PREGNANCY = "2.16.840.1.113883.3.526.3.378"


def _derived(oid: str) -> set[tuple[str, str]]:
    raw = json.loads(valuesets._path(2026).read_bytes())[oid]
    return {tuple(c) for c in raw["codes"]}


def test_truncated_2026_expansions_equal_the_reference_engines():
    data = json.loads(valuesets._path(2026).read_bytes())
    for oid in (ADVANCED_ILLNESS, PREGNANCY):
        entry = data[oid]
        assert entry["incomplete"] and entry["published_codes"] == 1000
        assert entry["completed_codes"] == len(entry["codes"]) > entry["declared_total"] - 20
        assert _derived(oid) >= content.all_valueset_codes()[oid]


def test_the_fast_engine_reads_a_code_past_the_first_thousand():
    index = valuesets.index(2026)
    assert index.contains(ADVANCED_ILLNESS, "http://hl7.org/fhir/sid/icd-10-cm", "N18.5")


def test_the_six_name_their_truncated_value_sets():
    cms165 = catalog.info("CMS165", 2026)
    names = {t["oid"]: t for t in cms165.truncated_valuesets}
    assert names[ADVANCED_ILLNESS]["present"] == 1000
    assert names[ADVANCED_ILLNESS]["total"] == 1997
    assert names[ADVANCED_ILLNESS]["completed_from_py2025"] == 2145
    assert _truncated("CMS165", 2026) == list(cms165.truncated_valuesets)
    assert catalog.info("CMS165", 2025).truncated_valuesets == ()
    assert catalog.info("CMS138", 2026).truncated_valuesets == ()
