"""Read a stored score (the score-preview document of mips.scoring.preview) into what the
dashboard shows: final score, category parts, measure points, bonus, payment estimate.

Sources, in the order the report card prefers them (seed: "the Submitted data score when
it exists and the Score Preview for data not submitted"):
cms_submitted (green) > cms_preview (purple) > portal_preview (blue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

PORTAL_PREVIEW = "portal_preview"
CMS_PREVIEW = "cms_preview"
CMS_SUBMITTED = "cms_submitted"
SOURCE_ORDER = (CMS_SUBMITTED, CMS_PREVIEW, PORTAL_PREVIEW)
SOURCE_LABELS = {
    CMS_SUBMITTED: "Submitted score returned by CMS",
    CMS_PREVIEW: "CMS score preview",
    PORTAL_PREVIEW: "Portal score preview",
}
SOURCE_CSS = {CMS_SUBMITTED: "green", CMS_PREVIEW: "purple", PORTAL_PREVIEW: "blue"}
CATEGORIES = ("quality", "pi", "ia")
CATEGORY_LABELS = {
    "quality": "Quality",
    "pi": "Promoting Interoperability",
    "ia": "Improvement Activities",
}


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class CategoryPart:
    name: str
    score: Decimal  # category percent 0..100
    weight: Decimal  # maximum contribution (percent of the final score)
    contribution: Decimal  # weighted score
    reweighted: bool

    @property
    def fraction(self) -> str:
        return f"{self.contribution.quantize(Decimal('0.01'))} / {self.weight.normalize():f}"


@dataclass(frozen=True)
class ScoreDoc:
    """One entity's score from one source."""

    source: str
    final: Decimal | None
    categories: dict[str, CategoryPart] = field(default_factory=dict)
    measure_points: dict[str, Decimal] = field(default_factory=dict)  # quality, PI, IA ids
    small_practice_bonus: Decimal = Decimal(0)
    payment_adjustment: Decimal | None = None
    payment_year: int | None = None
    messages: tuple[str, ...] = ()
    submission_id: str = ""
    computed_at: object = None
    snapshot_id: int | None = None
    # How many snapshots of this source the entity has in the year (its history), read for
    # a report card only (snapshots.score_docs `with_history`); None when not read.
    history: int | None = None

    @property
    def css(self) -> str:
        return SOURCE_CSS[self.source]

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def has_submittable_data(self) -> bool:
        """The composite score check: some category carries a score from real data."""
        return any(p.score > 0 and not p.reweighted for p in self.categories.values())


def measure_points(document: dict) -> dict[str, Decimal]:
    """Points per measure id (quality measure ids, PI measures, IA activities) from a
    score-preview document ({"data": {"score": ...}})."""
    score = (document or {}).get("data", {}).get("score") or {}
    points: dict[str, Decimal] = {}
    for part in score.get("parts") or ():
        name = part.get("name")
        if name not in CATEGORIES:
            continue
        original = part.get("original") or {}
        measures = original.get("parts") or ()
        if name == "quality":
            measures = [m for sub in measures for m in sub.get("parts") or ()]
        for measure in measures:
            if measure.get("value") is not None and measure.get("name"):
                points[str(measure["name"])] = _dec(measure["value"])
    return points


def preferred(docs: dict[str, ScoreDoc]) -> ScoreDoc | None:
    """The score the dashboard headlines: submitted, else CMS preview, else ours."""
    for source in SOURCE_ORDER:
        if source in docs:
            return docs[source]
    return None
