"""Models of the mips app, one module per concern (clinical data, eCQM results, ...)."""

from __future__ import annotations

from .attestations import DataSignOff, Engagement, IaAttestation, PiAttestation, SignOffCategory
from .clinical import ClinicalFact, DataImport, FactKind, FactSource, Patient
from .dashboard import (
    DashboardChange,
    DashboardMeasureRow,
    DashboardRow,
    DashboardScore,
    DashboardState,
    NetworkAverageRow,
)
from .ecqm import EcqmRun, MeasureAttribution, MeasureResult, PatientPopulation
from .identifiers import EMeasureIdentifiers
from .qmr import QmrListRow
from .qrda import QrdaImportBatch, QrdaImportFile, QrdaImportResult
from .reference import ReferenceEvaluation
from .score_inputs import ScoreInput
from .scores import ReportingLevel, ScoreSnapshot, ScoreSource, SubgroupScore
from .submissions import QppSubmission, SubmissionStatus
from .valuesets import ContentValueSet, ContentValueSetCode, ValueSetCode, ValueSetRelease

__all__ = [
    "DataSignOff",
    "Engagement",
    "IaAttestation",
    "PiAttestation",
    "ReferenceEvaluation",
    "ReportingLevel",
    "ScoreInput",
    "ScoreSnapshot",
    "ScoreSource",
    "SubgroupScore",
    "SignOffCategory",
    "ClinicalFact",
    "ContentValueSet",
    "ContentValueSetCode",
    "DashboardMeasureRow",
    "DashboardRow",
    "DashboardScore",
    "DashboardChange",
    "DashboardState",
    "NetworkAverageRow",
    "DataImport",
    "EcqmRun",
    "EMeasureIdentifiers",
    "FactKind",
    "FactSource",
    "MeasureAttribution",
    "MeasureResult",
    "Patient",
    "PatientPopulation",
    "QppSubmission",
    "QmrListRow",
    "QrdaImportBatch",
    "QrdaImportFile",
    "QrdaImportResult",
    "SubmissionStatus",
    "ValueSetCode",
    "ValueSetRelease",
]
