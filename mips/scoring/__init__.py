"""MIPS scoring engine: pure Python, no Django. Scores one entity for one performance year.

High level: ``score_submission_document(doc, ...)`` reads a QPP submission object and returns
the score-preview document. Low level: build an ``EntityInput`` and call ``score_entity``; the
``ScoreResult`` explains itself and ``.to_dict()`` gives the same document. Reference data is
loaded once per year (``load_catalog`` is cached).
"""

from __future__ import annotations

from .catalog import Benchmark, YearCatalog, load_catalog
from .final import CategoryScore, ScoreResult, score_entity
from .inputs import (
    EntityInput,
    PiMeasurement,
    PiSubmission,
    QualityMeasurement,
    Reweighting,
    Stratum,
    normalize_status,
)
from .pi import PiResult, counts_as_submitted, pi_counts_for_euc, score_pi
from .rules import RULES, YearRules, rules_for
from .submission import entity_from_document, score_submission_document

__all__ = [
    "RULES",
    "Benchmark",
    "CategoryScore",
    "EntityInput",
    "PiMeasurement",
    "PiSubmission",
    "QualityMeasurement",
    "Reweighting",
    "ScoreResult",
    "Stratum",
    "YearCatalog",
    "YearRules",
    "entity_from_document",
    "load_catalog",
    "PiResult",
    "counts_as_submitted",
    "pi_counts_for_euc",
    "score_pi",
    "normalize_status",
    "rules_for",
    "score_entity",
    "score_submission_document",
]
