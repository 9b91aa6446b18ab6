"""MIPS Value Pathways: Quality and IA scored inside one MVP's measure and activity lists.

The MVP's lists come from CMS's mvp.json (``catalog.mvps``, derived by
``scripts/derive_scoring_data.py``). What differs from traditional MIPS (assumptions.py names
the unconfirmed parts): Quality counts the best ``A.MVP_QUALITY_MEASURES`` of the MVP's quality
measures (one outcome / high priority) over a denominator of 10 points each, plus the
administrative-claims foundation measures as in traditional MIPS; IA counts only the MVP's
activities and ``A.MVP_IA_ACTIVITIES_FOR_FULL_CREDIT`` earns full credit; PI is the
foundational layer, scored exactly as traditional PI; Cost as in traditional MIPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import assumptions as A
from .catalog import MvpInfo, YearCatalog
from .ia import IaResult, score_ia
from .inputs import EntityInput
from .quality import QualityResult, normalize_collection_type, score_quality
from .rules import YearRules


@dataclass
class MvpScore:
    info: MvpInfo
    quality: QualityResult
    ia: IaResult
    left_out_measures: list[str] = field(default_factory=list)
    left_out_activities: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def mvp_info(catalog: YearCatalog, mvp_id: str) -> MvpInfo:
    try:
        return catalog.mvps[mvp_id]
    except KeyError:
        raise ValueError(
            f"{mvp_id!r} is not a {catalog.year} MVP (CMS mvp.json lists "
            f"{len(catalog.mvps)}: {', '.join(sorted(catalog.mvps)[:5])}, ...)"
        ) from None


def score_mvp(entity: EntityInput, catalog: YearCatalog, rules: YearRules, small: bool) -> MvpScore:
    info = mvp_info(catalog, entity.mvp_id or "")
    allowed = info.quality_ids | set(info.foundation_quality_ids)
    measures = []
    left_out: list[str] = []
    for m in entity.quality:
        admin = normalize_collection_type(m.collection_type) == "administrativeClaims"
        if m.measure_id in info.quality_ids or (admin and m.measure_id in allowed):
            measures.append(m)
        else:
            left_out.append(m.measure_id)
    quality_rules = replace(rules, required_measures=A.MVP_QUALITY_MEASURES)
    quality = score_quality(
        tuple(measures), catalog, quality_rules, small, entity.prior_quality_achievement
    )
    activities = [a for a in entity.ia_activities if a in info.ia_ids]
    skipped = [a for a in entity.ia_activities if a not in info.ia_ids]
    ia_rules = replace(
        rules,
        ia_weighted=False,
        ia_unweighted_points=rules.ia_max_points // A.MVP_IA_ACTIVITIES_FOR_FULL_CREDIT,
    )
    ia = score_ia(tuple(activities), frozenset(entity.special_statuses), catalog, ia_rules)
    messages = [
        f"MVP {info.mvp_id} ({info.title}): Quality counts the best "
        f"{A.MVP_QUALITY_MEASURES} of the MVP's measures (denominator "
        f"{A.MVP_QUALITY_MEASURES * rules.points_per_measure}); "
        f"{A.MVP_IA_ACTIVITIES_FOR_FULL_CREDIT} MVP activity earns full IA credit; PI is the "
        "foundational layer"
    ]
    if left_out:
        messages.append(
            "MVP: measures not in this MVP are not scored: " + ", ".join(sorted(set(left_out)))
        )
    if skipped:
        messages.append(
            "MVP: activities not in this MVP are not scored: " + ", ".join(sorted(set(skipped)))
        )
    return MvpScore(info, quality, ia, left_out, skipped, messages)
