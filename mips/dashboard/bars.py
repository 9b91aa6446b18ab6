"""Category bars of the report card: one bar per score source and category, drawn by the
template as server-side SVG (no chart library). Pure: widths are percentages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .scores import CATEGORIES, CATEGORY_LABELS, SOURCE_ORDER, ScoreDoc, preferred

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Bar:
    source: str
    css: str  # green / purple / blue
    label: str
    contribution: Decimal
    weight: Decimal
    y: int  # vertical offset inside the SVG

    @property
    def width(self) -> str:
        """Filled share of the bar in percent (the weighted score of the category weight)."""
        if self.weight <= 0:
            return "0"
        share = min(HUNDRED, self.contribution * HUNDRED / self.weight)
        return f"{share.quantize(Decimal('0.1'))}"


@dataclass(frozen=True)
class CategoryBars:
    name: str
    label: str
    bars: tuple[Bar, ...]
    fraction: str  # weighted score of the headline source, e.g. "22.50 / 30"
    reweighted: bool
    height: int


BAR_HEIGHT, GAP = 14, 4


def category_bars(docs: dict[str, ScoreDoc]) -> list[CategoryBars]:
    """Bars for Quality, PI and IA, one per available source in legend order."""
    headline = preferred(docs)
    result = []
    for name in CATEGORIES:
        bars = []
        for source in SOURCE_ORDER:
            doc = docs.get(source)
            part = doc.categories.get(name) if doc else None
            if part is None:
                continue
            bars.append(
                Bar(
                    source, doc.css, doc.label, part.contribution, part.weight,
                    y=len(bars) * (BAR_HEIGHT + GAP),
                )
            )  # fmt: skip
        part = headline.categories.get(name) if headline else None
        result.append(
            CategoryBars(
                name=name,
                label=CATEGORY_LABELS[name],
                bars=tuple(bars),
                fraction=part.fraction if part else "No score yet",
                reweighted=bool(part and part.reweighted),
                height=max(1, len(bars)) * (BAR_HEIGHT + GAP),
            )
        )
    return result
