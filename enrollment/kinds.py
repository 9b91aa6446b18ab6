"""The one home of the enrollment app's kinds and statuses (program kinds, measure
categories, case statuses): plain choices with no model behind them, so querysets, other
apps, benchmarks and scoring can share them without importing the models."""

from __future__ import annotations

from django.db import models


class ProgramKind(models.TextChoices):
    """Stable codes other apps branch on (the MIPS dashboard shows only MIPS_KINDS)."""

    MIPS_QUALITY = "mips_quality", "MIPS Quality"
    MIPS_PI = "mips_pi", "MIPS Promoting Interoperability"
    MIPS_IA = "mips_ia", "MIPS Improvement Activities"
    MVP = "mvp", "MIPS Value Pathway"
    MIPS_QUALITY_NFA = "mips_quality_nfa", "MIPS Quality Not for Attestation"
    CUSTOM = "custom", "Custom program"
    REGIONAL = "regional", "Regional P4P program"


# Programs the MIPS dashboard shows: submitted to CMS for attestation.
MIPS_KINDS = frozenset(
    {ProgramKind.MIPS_QUALITY, ProgramKind.MIPS_PI, ProgramKind.MIPS_IA, ProgramKind.MVP}
)

# The traditional MIPS programs, one per category, that a clinician is enrolled in one by
# one (auto-enrollment, demo data, benchmarks); an MVP is chosen instead, never given.
TRADITIONAL_MIPS_KINDS = (ProgramKind.MIPS_QUALITY, ProgramKind.MIPS_PI, ProgramKind.MIPS_IA)


class MeasureCategory(models.TextChoices):
    QUALITY = "quality", "Quality"
    PI = "pi", "Promoting Interoperability"
    IA = "ia", "Improvement Activities"


# Which catalog category a program's measures come from.
KIND_CATEGORY = {
    ProgramKind.MIPS_QUALITY: MeasureCategory.QUALITY,
    ProgramKind.MIPS_QUALITY_NFA: MeasureCategory.QUALITY,
    ProgramKind.MIPS_PI: MeasureCategory.PI,
    ProgramKind.MIPS_IA: MeasureCategory.IA,
    ProgramKind.MVP: MeasureCategory.QUALITY,
    ProgramKind.CUSTOM: MeasureCategory.QUALITY,
    ProgramKind.REGIONAL: MeasureCategory.QUALITY,
}


# The MIPS performance categories a program submits, as the scoring engine names them
# (an MVP covers quality, IA and foundational PI). Programs not listed submit none.
SUBMITTED_CATEGORIES = {
    ProgramKind.MIPS_QUALITY: ("quality",),
    ProgramKind.MIPS_PI: ("pi",),
    ProgramKind.MIPS_IA: ("ia",),
    ProgramKind.MVP: ("quality", "pi", "ia"),
}
# An entity's quality enrollments are those in these programs (see enrollment.coverage).
QUALITY_SUBMITTING_KINDS = frozenset(
    kind for kind, categories in SUBMITTED_CATEGORIES.items() if "quality" in categories
)
# Programs that never go to CMS: QMR is where their clinicians see their numbers.
NOT_SUBMITTED_KINDS = frozenset(set(ProgramKind) - set(SUBMITTED_CATEGORIES))
# Programs whose measures come from the quality catalog, submitted or not (NFA, custom and
# regional programs too): the Quality Measures Report lists their enrollments.
QUALITY_CATALOG_KINDS = frozenset(
    kind for kind, category in KIND_CATEGORY.items() if category == MeasureCategory.QUALITY
)


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_PRACTICE = "waiting_on_practice", "Waiting on practice"
    RESOLVED = "resolved", "Resolved"
    REJECTED = "rejected", "Rejected"


OPEN_CASE_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_PRACTICE)
