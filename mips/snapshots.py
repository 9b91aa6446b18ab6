"""Score snapshots: store (portal preview, CMS preview, CMS submitted) and read.

Reads (one query each, whatever the number of entities):
- ``current_snapshots(practice, year, sources=None)`` -> {(EntityKey, source): ScoreSnapshot}
- ``ScoreSnapshot.objects.current().for_year(year).filter(practice=p)`` directly.

Writes:
- ``import_cms_score(document=, source=, year=, tin_npi=|medical_group=, user=,
  submission_id="")``: a CMS score-preview response stored as cms_preview / cms_submitted.
- ``summary_fields(document)``: the snapshot columns read from a score-preview document
  (used for portal and CMS documents alike, so both are stored in the same shape).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from practices.services import record

from .attestation_reads import EntityKey
from .models import ScoreSnapshot, ScoreSource

CATEGORY_KEYS = {"quality": "Quality", "pi": "PI", "ia": "IA", "cost": "Cost"}


def _dec(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _find(node, key: str, depth: int = 4):
    """The first value of `key` in a part's metadata, searching its nested parts (CMS
    puts the Quality achievement percent in the category's original sub-part)."""
    if not isinstance(node, dict) or depth < 0:
        return None
    meta = node.get("metadata") or {}
    if isinstance(meta, dict) and meta.get(key) is not None:
        return meta[key]
    children = [node.get("original")] + list(node.get("parts") or ())
    for child in children:
        found = _find(child, key, depth - 1)
        if found is not None:
            return found
    return None


def score_of(document: dict) -> dict:
    """The "score" object of a score-preview response ({"data": {"score": ...}}), also
    accepting the bare score object or {"score": ...}."""
    if not isinstance(document, dict):
        raise ValidationError("The score preview must be a JSON object.")
    score = document.get("data", document)
    score = score.get("score", score) if isinstance(score, dict) else None
    if not isinstance(score, dict) or "value" not in score:
        raise ValidationError('Not a score-preview response: expected {"data": {"score": ...}}.')
    return score


def summary_fields(document: dict) -> dict:
    """Columns of a ScoreSnapshot from a score-preview document (QPP_API.md 2.4)."""
    score = score_of(document)
    meta = score.get("metadata") or {}
    parts = {p.get("name"): p for p in score.get("parts") or () if isinstance(p, dict)}
    categories: dict[str, dict] = {}
    reweighted: list[str] = []
    for key, label in CATEGORY_KEYS.items():
        part_meta = (parts.get(key) or {}).get("metadata") or {}
        cat_score = meta.get(f"{key}CategoryScore", part_meta.get("categoryScore"))
        weighted = meta.get(f"{key}WeightedScore", part_meta.get("weightedContribution"))
        if weighted is None and key in parts:
            weighted = parts[key].get("value")
        is_reweighted = bool(meta.get(f"{key}Reweighted", part_meta.get("reweighted", False)))
        if is_reweighted:
            reweighted.append(key)
        entry = {
            "score": cat_score,
            "weight": part_meta.get("weight"),
            "contribution": weighted,
            "max_contribution": meta.get(
                f"maxContribution{label}", part_meta.get("maxContribution")
            ),
            "reweighted": is_reweighted,
        }
        if key == "quality":
            entry["achievement_percent"] = _find(parts.get("quality"), "achievementPercent")
        categories[key] = entry
    messages = [m for m in meta.get("messages") or () if isinstance(m, str)]
    return {
        "final_score": _dec(score.get("value")),
        "quality_score": _dec(categories["quality"]["score"]),
        "pi_score": _dec(categories["pi"]["score"]),
        "ia_score": _dec(categories["ia"]["score"]),
        "cost_score": _dec(categories["cost"]["score"]),
        "categories": categories,
        "reweighted": reweighted,
        "small_practice_bonus": _dec(meta.get("smallPracticeBonus")),
        "payment_adjustment": _dec(meta.get("paymentAdjustmentEstimate")),
        "messages": messages,
    }


def accepted_tins(year: int, medical_group, tin_npi=None) -> set[str]:
    """The TINs a CMS document for this entity may carry: the group's billing TIN and any
    Medicare TIN override (for the provider or the whole group) in effect during the year,
    since CMS scores the TIN the data was actually submitted under. One query."""
    from practices.models import MedicareTinOverride

    overrides = MedicareTinOverride.objects.filter(
        medical_group=medical_group, effective_from__lte=dt.date(year, 12, 31)
    ).exclude(effective_to__lt=dt.date(year, 1, 1))
    if tin_npi is not None:
        overrides = overrides.filter(Q(provider_id=tin_npi.provider_id) | Q(provider__isnull=True))
    else:
        overrides = overrides.filter(provider__isnull=True)
    return {medical_group.tin, *overrides.values_list("overriding_tin", flat=True)}


def fingerprint(inputs: dict, document: dict) -> str:
    blob = json.dumps({"inputs": inputs, "document": document}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def prune_history(practice, year: int) -> int:
    """Delete the practice's superseded portal-preview snapshots of `year` older than the
    operator's policy (settings.MIPS_SCORE_HISTORY_DAYS; 0 keeps everything). Current
    snapshots and scores CMS returned are always kept. One query."""
    days = settings.MIPS_SCORE_HISTORY_DAYS
    if not days:
        return 0
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = ScoreSnapshot.objects.filter(
        practice=practice, year=year, source=ScoreSource.PORTAL_PREVIEW, is_current=False,
        computed_at__lt=cutoff,
    ).delete()  # fmt: skip
    return deleted


def current_snapshots(
    practice, year: int, sources=None
) -> dict[tuple[EntityKey, str], ScoreSnapshot]:
    """The latest snapshot per entity and source for a practice's year. One query."""
    qs = ScoreSnapshot.objects.current().for_year(year).filter(practice=practice)
    if sources:
        qs = qs.filter(source__in=list(sources))
    return {(EntityKey(s.tin_npi_id, s.medical_group_id), s.source): s for s in qs}


@transaction.atomic
def import_cms_score(
    *,
    document: dict,
    source: str,
    year: int,
    user=None,
    tin_npi=None,
    medical_group=None,
    submission_id: str = "",
) -> ScoreSnapshot:
    """Store a CMS score-preview response for an entity as a new current snapshot of
    `source` (cms_preview or cms_submitted). Raises ValidationError on a bad document or
    when the document's performance year / TIN / NPI contradict the entity."""
    if source not in (ScoreSource.CMS_PREVIEW, ScoreSource.CMS_SUBMITTED):
        raise ValidationError({"source": "Choose cms_preview or cms_submitted."})
    fields = summary_fields(document)
    if tin_npi is not None:
        medical_group = tin_npi.medical_group
    elif medical_group is None:
        raise ValidationError("Choose a TIN/NPI or a group.")
    meta = score_of(document).get("metadata") or {}
    errors = []
    if meta.get("performanceYear") not in (None, year):
        errors.append(f"the document is for {meta['performanceYear']}, not {year}")
    tin = meta.get("taxpayerIdentificationNumber")
    if tin and tin not in accepted_tins(year, medical_group, tin_npi):
        errors.append(
            f"the document's TIN {tin} is neither the group's TIN nor a Medicare TIN override "
            f"in effect for it in {year}"
        )
    npi = meta.get("nationalProviderIdentifier")
    if npi and (tin_npi is None or npi != tin_npi.provider.npi):
        errors.append(f"the document's NPI {npi} does not match the entity")
    if errors:
        raise ValidationError("Cannot import: " + "; ".join(errors) + ".")
    entity = (
        {"tin_npi": tin_npi}
        if tin_npi
        else {"tin_npi__isnull": True, "medical_group": medical_group}
    )
    ScoreSnapshot.objects.select_for_update().filter(
        is_current=True, year=year, source=source, **entity
    ).update(is_current=False)
    snapshot = ScoreSnapshot(
        medical_group=medical_group,
        tin_npi=tin_npi,
        year=year,
        source=source,
        computed_at=timezone.now(),
        document=document,
        inputs={},
        fingerprint=fingerprint({}, document),
        submission_id=submission_id or str(meta.get("submissionId") or ""),
        imported_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    snapshot.save()
    record(
        practice=medical_group.practice,
        actor=user,
        action="mips.cms_score_imported",
        obj=snapshot,
        summary=f"{snapshot.get_source_display()} {year} imported for "
        f"{tin_npi or f'group {medical_group}'}: {snapshot.final_score}",
        source=source,
        year=year,
    )
    return snapshot
