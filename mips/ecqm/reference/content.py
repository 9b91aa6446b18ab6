"""The shipped measure content: every MIPS eCQM that the hand-written engine does not
implement, per performance year, as FHIR measure bundles for fqm-execution.

Files: mips/ecqm/content/index.json and resources/<key>.json.gz (one resource each; shared
libraries and value sets stored once). Written and verified against the source bundles by
scripts/derive_measure_content.py; nothing here reads /work/shared at run time.
"""

from __future__ import annotations

import base64
import gzip
import json
from functools import lru_cache
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@lru_cache(maxsize=1)
def index() -> dict:
    return json.loads((CONTENT_DIR / "index.json").read_text())


def measures(year: int) -> dict[str, dict]:
    """{cms_id: metadata} of the year's reference-engine measures (empty for other years)."""
    return index()["years"].get(str(year), {})


def meta(cms_id: str, year: int) -> dict:
    try:
        return measures(year)[cms_id.upper()]
    except KeyError as exc:
        raise ValueError(f"no measure content for {cms_id} in {year}") from exc


def has_measure(cms_id: str, year: int) -> bool:
    return cms_id.upper() in measures(year)


@lru_cache(maxsize=256)
def resource(key: str) -> dict:
    return json.loads(gzip.decompress((CONTENT_DIR / "resources" / f"{key}.json.gz").read_bytes()))


def bundle(cms_id: str, year: int) -> dict:
    """The measure bundle (Measure, its library closure, every declared value set)."""
    m = meta(cms_id, year)
    return {
        "resourceType": "Bundle",
        "id": m["bundle_id"],
        "type": "collection",
        "entry": [{"resource": resource(key)} for key in m["resources"]],
    }


def valueset_codes(cms_id: str, year: int) -> dict[str, set[tuple[str, str]]]:
    """{value-set OID: {(system, code)}} of the expansions the measure declares."""
    out: dict[str, set[tuple[str, str]]] = {}
    for key in meta(cms_id, year)["resources"]:
        if not key.startswith("valueset-"):
            continue
        vs = resource(key)
        out[vs.get("url", "").rsplit("/", 1)[-1]] = codes_of(vs)
    return out


def codes_of(vs: dict) -> set[tuple[str, str]]:
    return {
        (c.get("system", ""), str(c.get("code", "")))
        for c in (vs.get("expansion") or {}).get("contains") or []
        if c.get("code")
    }


@lru_cache(maxsize=1)
def all_valueset_codes() -> dict[str, frozenset]:
    """{OID: codes} over every shipped value set (both years, union per OID)."""
    out: dict[str, set] = {}
    for key in sorted((CONTENT_DIR / "resources").glob("valueset-*.json.gz")):
        vs = resource(key.name[: -len(".json.gz")])
        out.setdefault(vs.get("url", "").rsplit("/", 1)[-1], set()).update(codes_of(vs))
    return {oid: frozenset(codes) for oid, codes in out.items()}


def direct_codes(cms_id: str, year: int) -> set[tuple[str, str]]:
    """Codes the measure's libraries name directly (ELM `codes`), outside value sets."""
    found: set[tuple[str, str]] = set()
    for key in meta(cms_id, year)["resources"]:
        if not key.startswith("library-"):
            continue
        elm = library_elm(key)
        systems = {
            cs["name"]: cs["id"] for cs in (elm.get("codeSystems") or {}).get("def", []) or []
        }
        for code in (elm.get("codes") or {}).get("def", []) or []:
            system = systems.get((code.get("codeSystem") or {}).get("name", ""), "")
            found.add((system, str(code.get("id", ""))))
    return found


@lru_cache(maxsize=256)
def library_elm(key: str) -> dict:
    for content in resource(key).get("content", []):
        if content.get("contentType") == "application/elm+json":
            return json.loads(base64.b64decode(content["data"])).get("library", {})
    return {}
