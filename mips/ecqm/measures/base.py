"""What every measure module provides."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..candidates import PatientFacts
from ..cascade import Populations
from ..timing import Period

DATA = Path(__file__).resolve().parent.parent / "data" / "measures.json"


@lru_cache(maxsize=1)
def identifiers() -> dict:
    return json.loads(DATA.read_text())


@dataclass
class Evaluation:
    """One patient's cascaded populations per group, and the (tin, npi) pairs of the
    encounters that put the patient in the initial population (attribution)."""

    groups: list[Populations]
    attribution: set[tuple[str, str]] = field(default_factory=set)


class Measure:
    cms_id: str = ""
    title: str = ""
    group_count: int = 1
    has_exceptions: bool = False
    stratified: bool = False

    def oids(self, year: int) -> set[str]:
        raise NotImplementedError

    def evaluate(self, p: PatientFacts, mp: Period, year: int) -> Evaluation:
        raise NotImplementedError

    def prepare(self, practice_id: int, year: int, patients: dict[int, PatientFacts]) -> None:
        """Hook for measures that need one extra set-based query (default: none)."""

    def meta(self, year: int) -> dict:
        return identifiers()[str(year)][self.cms_id]

    @property
    def mips_id(self) -> str:
        return identifiers()["2025"][self.cms_id]["mips_id"]


def attribution_of(encounters) -> set[tuple[str, str]]:
    return {(e.tin, e.npi) for e in encounters if e.tin or e.npi}
