"""Models of the mips app, one module per concern (clinical data, eCQM results, ...)."""

from __future__ import annotations

from .clinical import ClinicalFact, DataImport, FactKind, FactSource, Patient
from .ecqm import EcqmRun, MeasureAttribution, MeasureResult, PatientPopulation
from .valuesets import ValueSetCode, ValueSetRelease

__all__ = [
    "ClinicalFact",
    "DataImport",
    "EcqmRun",
    "FactKind",
    "FactSource",
    "MeasureAttribution",
    "MeasureResult",
    "Patient",
    "PatientPopulation",
    "ValueSetCode",
    "ValueSetRelease",
]
