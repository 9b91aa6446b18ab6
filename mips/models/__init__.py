"""Models of the mips app, one module per concern (clinical data, eCQM results, ...)."""

from __future__ import annotations

from .attestations import DataSignOff, Engagement, IaAttestation, PiAttestation, SignOffCategory
from .clinical import ClinicalFact, DataImport, FactKind, FactSource, Patient
from .dashboard import DashboardScore
from .ecqm import EcqmRun, MeasureAttribution, MeasureResult, PatientPopulation
from .scores import ReportingLevel, ScoreSnapshot, ScoreSource
from .valuesets import ValueSetCode, ValueSetRelease

__all__ = [
    "DataSignOff",
    "Engagement",
    "IaAttestation",
    "PiAttestation",
    "ReportingLevel",
    "ScoreSnapshot",
    "ScoreSource",
    "SignOffCategory",
    "ClinicalFact",
    "DashboardScore",
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
