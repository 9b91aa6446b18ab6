"""Load a year's measure catalog and make sure the year's standard programs exist.

Two input layouts are accepted, so a new year needs no code change:
- ours (enrollment/data/measures_<year>.json, written by scripts/derive_measures.py):
  {"metadata": {...}, "quality": [...], "pi": [...], "ia": [...], "mvps": [...]}
- CMS's official qpp-measures-data `measures-data.json`: a list of measure objects with
  "category" (quality / pi / ia / cost; cost is skipped), optionally with CMS's `mvp.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Measure, MeasureCategory, Mvp, Program, ProgramKind

DATA_DIR = Path(__file__).resolve().parent / "data"

# The standard programs of every performance year: (kind, name, submitted to CMS, text).
STANDARD_PROGRAMS = (
    (ProgramKind.MIPS_QUALITY, "MIPS Quality", True, "Quality measures submitted to CMS."),
    (
        ProgramKind.MIPS_PI,
        "MIPS Promoting Interoperability",
        True,
        "Year-long by default; a custom period of at least 180 days on request.",
    ),
    (ProgramKind.MIPS_IA, "MIPS Improvement Activities", True, "Attested improvement activities."),
    (
        ProgramKind.MIPS_QUALITY_NFA,
        "MIPS Quality Not for Attestation",
        False,
        "Quality measures tracked for experience; never submitted to CMS and not shown on "
        "the MIPS dashboard.",
    ),
)


class CatalogError(ValueError):
    pass


@dataclass
class LoadResult:
    year: int
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    programs: int = 0

    def summary(self) -> str:
        parts = [
            f"{key}: {self.created.get(key, 0)} new, {self.updated.get(key, 0)} updated"
            for key in ("quality", "pi", "ia", "mvps")
        ]
        return f"{self.year}: " + "; ".join(parts) + f"; {self.programs} programs"


def shipped_file(year: int) -> Path:
    return DATA_DIR / f"measures_{year}.json"


def shipped_years() -> list[int]:
    return sorted(int(p.stem.split("_")[1]) for p in DATA_DIR.glob("measures_*.json"))


def _bool(value) -> bool:
    return bool(value) and str(value).lower() not in ("false", "no", "0")


def _from_official(rows: list, mvp_rows: list | None) -> dict:
    """Map CMS's measures-data.json (and mvp.json) onto our catalog layout."""
    out: dict[str, list] = {"quality": [], "pi": [], "ia": [], "mvps": []}
    for m in rows:
        if not isinstance(m, dict) or "measureId" not in m or "category" not in m:
            raise CatalogError("Each measure needs 'measureId' and 'category'.")
        cat = m["category"]
        if cat == "quality":
            out["quality"].append(
                {
                    "id": m["measureId"],
                    "title": m.get("title", ""),
                    "ecqm_id": m.get("eMeasureId") or "",
                    "nqf_id": m.get("nqfId") or "",
                    "collection_types": list(m.get("submissionMethods") or []),
                    "measure_type": m.get("measureType") or "",
                    "metric_type": m.get("metricType") or "",
                    "high_priority": _bool(m.get("isHighPriority")),
                    "inverse": _bool(m.get("isInverse")),
                }
            )
        elif cat == "pi":
            out["pi"].append(
                {
                    "id": m["measureId"],
                    "title": m.get("title", ""),
                    "objective": m.get("objective") or "",
                    "required": _bool(m.get("isRequired")),
                    "bonus": _bool(m.get("isBonus")),
                    "exclusions": list(m.get("exclusion") or []),
                    "metric_type": m.get("metricType") or "",
                }
            )
        elif cat == "ia":
            out["ia"].append(
                {
                    "id": m["measureId"],
                    "title": m.get("title", ""),
                    "subcategory": m.get("subcategoryId") or "",
                    "weight": m.get("weight") or "",
                }
            )
    for m in mvp_rows or []:
        out["mvps"].append(
            {
                "id": m["mvpId"],
                "title": m.get("title", ""),
                "clinical_topic": m.get("clinicalTopic") or "",
                "quality_measure_ids": list(m.get("qualityMeasureIds") or []),
                "ia_measure_ids": list(m.get("iaMeasureIds") or []),
                "cost_measure_ids": list(m.get("costMeasureIds") or []),
                "foundation_pi_measure_ids": list(m.get("foundationPiMeasureIds") or []),
                "foundation_quality_measure_ids": list(m.get("foundationQualityMeasureIds") or []),
            }
        )
    return out


def parse(data, mvp_data=None) -> dict:
    """Normalise either accepted layout to ours (without metadata)."""
    if isinstance(data, list):
        return _from_official(data, mvp_data)
    if isinstance(data, dict) and "quality" in data:
        out = {key: list(data.get(key) or []) for key in ("quality", "pi", "ia", "mvps")}
        if mvp_data:
            out["mvps"] = _from_official([], mvp_data)["mvps"]
        return out
    raise CatalogError(
        "Unknown layout: expected our catalog (an object with 'quality', 'pi', 'ia', 'mvps') "
        "or CMS's measures-data.json (a list of measures)."
    )


def _upsert(year: int, category: str, row: dict) -> bool:
    fields = {"category": category, "title": row.get("title", "")[:500]}
    if category == MeasureCategory.QUALITY:
        fields |= {
            "ecqm_id": row.get("ecqm_id", ""),
            "nqf_id": row.get("nqf_id", ""),
            "collection_types": row.get("collection_types", []),
            "measure_type": row.get("measure_type", ""),
            "metric_type": row.get("metric_type", ""),
            "is_high_priority": bool(row.get("high_priority")),
            "is_inverse": bool(row.get("inverse")),
        }
    elif category == MeasureCategory.PI:
        fields |= {
            "objective": row.get("objective", ""),
            "is_required": bool(row.get("required")),
            "is_bonus": bool(row.get("bonus")),
            "exclusions": row.get("exclusions", []),
            "metric_type": row.get("metric_type", ""),
        }
    else:
        fields |= {"subcategory": row.get("subcategory", ""), "weight": row.get("weight", "")}
    _, created = Measure.objects.update_or_create(year=year, measure_id=row["id"], defaults=fields)
    return created


def ensure_standard_programs(year: int) -> int:
    """Create or refresh MIPS Quality, PI, IA and Not for Attestation of `year`."""
    for kind, name, submits, description in STANDARD_PROGRAMS:
        Program.objects.update_or_create(
            year=year,
            code=kind.replace("_", "-"),
            defaults={
                "kind": kind,
                "name": name,
                "submits_to_cms": submits,
                "description": description,
            },
        )
    return len(STANDARD_PROGRAMS)


@transaction.atomic
def load_catalog(year: int, data, mvp_data=None) -> LoadResult:
    """Upsert the year's measures and MVPs (never deleting: enrollments point at them) and
    its standard and MVP programs. Idempotent."""
    catalog = parse(data, mvp_data)
    result = LoadResult(year=year)
    for category in ("quality", "pi", "ia"):
        for row in catalog[category]:
            if not row.get("id"):
                raise CatalogError(f"A {category} measure has no id.")
            key = "created" if _upsert(year, category, row) else "updated"
            getattr(result, key)[category] = getattr(result, key).get(category, 0) + 1
    result.programs = ensure_standard_programs(year)
    for row in catalog["mvps"]:
        mvp, created = Mvp.objects.update_or_create(
            year=year,
            mvp_id=row["id"],
            defaults={
                "title": row.get("title", "")[:300],
                "clinical_topic": row.get("clinical_topic", "")[:200],
                **{
                    key: row.get(key, [])
                    for key in (
                        "quality_measure_ids",
                        "ia_measure_ids",
                        "cost_measure_ids",
                        "foundation_pi_measure_ids",
                        "foundation_quality_measure_ids",
                    )
                },
            },
        )
        key = "created" if created else "updated"
        getattr(result, key)["mvps"] = getattr(result, key).get("mvps", 0) + 1
        Program.objects.update_or_create(
            year=year,
            code=f"mvp-{mvp.mvp_id.lower()}",
            defaults={
                "kind": ProgramKind.MVP,
                "name": f"MVP: {mvp.title}"[:200],
                "submits_to_cms": True,
                "mvp": mvp,
            },
        )
        result.programs += 1
    return result


def load_file(year: int, path: Path, mvp_path: Path | None = None) -> LoadResult:
    try:
        data = json.loads(Path(path).read_text())
        mvp_data = json.loads(Path(mvp_path).read_text()) if mvp_path else None
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"Cannot read {path}: {exc}") from exc
    if isinstance(data, dict) and "metadata" in data:
        file_year = data["metadata"].get("year")
        if file_year and int(file_year) != year:
            raise CatalogError(f"{path} is the catalog of {file_year}, not {year}.")
    return load_catalog(year, data, mvp_data)
