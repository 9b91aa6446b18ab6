"""Score documents and the three-colour bars (pure)."""

from __future__ import annotations

from decimal import Decimal

from mips.dashboard.bars import category_bars
from mips.dashboard.scores import CategoryPart, ScoreDoc, measure_points, preferred


def doc(source, quality):
    return ScoreDoc(
        source=source,
        final=Decimal(quality),
        categories={
            "quality": CategoryPart("quality", Decimal(50), Decimal(30), Decimal(quality), False),
            "pi": CategoryPart("pi", Decimal(0), Decimal(0), Decimal(0), True),
        },
    )


def test_preferred_source_is_submitted_then_cms_preview_then_portal():
    docs = {"portal_preview": doc("portal_preview", 10)}
    assert preferred(docs).source == "portal_preview"
    docs["cms_preview"] = doc("cms_preview", 12)
    assert preferred(docs).source == "cms_preview"
    docs["cms_submitted"] = doc("cms_submitted", 15)
    assert preferred(docs).source == "cms_submitted"


def test_bars_one_per_source_in_legend_order_with_weighted_fraction():
    docs = {s: doc(s, v) for s, v in (("portal_preview", 15), ("cms_submitted", 30))}
    quality, pi, ia = category_bars(docs)
    assert [b.css for b in quality.bars] == ["green", "blue"]
    assert [b.width for b in quality.bars] == ["100.0", "50.0"]
    assert quality.fraction == "30.00 / 30"
    assert pi.reweighted and pi.bars[0].width == "0"
    assert ia.bars == () and ia.fraction == "No score yet"


def test_measure_points_reads_quality_pi_and_ia_parts():
    document = {"data": {"score": {"parts": [
        {"name": "quality", "original": {"parts": [{"parts": [{"name": "236", "value": 7.5}]}]}},
        {"name": "pi", "original": {"parts": [{"name": "PI_EP_1", "value": 9}]}},
        {"name": "ia", "original": {"parts": [{"name": "IA_EPA_1", "value": 20}]}},
        {"name": "feedback-quality", "parts": []},
    ]}}}  # fmt: skip
    assert measure_points(document) == {
        "236": Decimal("7.5"),
        "PI_EP_1": Decimal(9),
        "IA_EPA_1": Decimal(20),
    }
