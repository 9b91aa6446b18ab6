"""The Submissions API part of the fake QPP server: `fake_qpp_app` mounts it under
`/api/submissions/` on the eligibility fake (enrollment/eligibility/fake_qpp.py).

- `POST /api/submissions/measurement-sets`: validates the measurement set and its
  `submission` stub against the shapes of QPP_API.md 2.3; a wrong shape is a 400 with
  `{"error": {"type": "ValidationError", "message", "details": [{"path", "message"}]}}`.
  A valid set is stored under its entity's submission (one per entity and year, created
  implicitly) and answered 201 with `data.measurementSet` (id, submissionId, and the
  computed performanceRate / reportingRate / caseCount per quality measurement). Posting a
  set with the same category, submissionMethod and programName again replaces it.
- `GET /api/submissions/submissions/{id}/score` and `POST /api/submissions/submissions/
  score-preview`: the score document from mips.scoring.score_submission_document.

State lives in memory, per server.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
import uuid
from typing import Any

from enrollment.eligibility.fake_qpp import FakeQppApp

MAX_BODY = 5 * 1024 * 1024
ENTITY_TYPES = {"apm", "group", "individual", "virtualGroup", "subgroup"}
CATEGORIES = {"quality", "pi", "ia"}
METHODS = {"registry", "electronicHealthRecord"}
CEHRT = re.compile(r"^(\d{4}|[0-9A-Z]{2}15)C[0-9A-Z]{10}$")
COUNT_FIELDS = (
    "performanceMet",
    "performanceNotMet",
    "eligiblePopulation",
    "eligiblePopulationExclusion",
    "eligiblePopulationException",
)
MS_PATH = re.compile(r"^/api/submissions/measurement-sets/?$")
SCORE_PATH = re.compile(r"^/api/submissions/submissions/([0-9a-f-]{36})/score/?$")
PREVIEW_PATH = re.compile(r"^/api/submissions/submissions/score-preview/?$")


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append({"path": path, "message": message})


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_counts(value: dict, path: str, problems: _Problems) -> None:
    for name in COUNT_FIELDS:
        if not _is_count(value.get(name)):
            problems.add(f"{path}.{name}", "must be an integer >= 0")
    if all(_is_count(value.get(n)) for n in COUNT_FIELDS):
        reported = sum(value[n] for n in COUNT_FIELDS if n != "eligiblePopulation")
        if reported > value["eligiblePopulation"]:
            problems.add(
                path,
                "performanceMet + performanceNotMet + eligiblePopulationExclusion + "
                "eligiblePopulationException must not exceed eligiblePopulation",
            )


def _check_quality_value(value: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, dict):
        problems.add(path, "must be an object")
        return
    if not isinstance(value.get("isEndToEndReported"), bool):
        problems.add(f"{path}.isEndToEndReported", "must be true or false")
    if "strata" in value:
        strata = value["strata"]
        if not isinstance(strata, list) or not strata:
            problems.add(f"{path}.strata", "must be a non-empty array")
            return
        for i, stratum in enumerate(strata):
            spath = f"{path}.strata[{i}]"
            if not isinstance(stratum, dict):
                problems.add(spath, "must be an object")
                continue
            if not isinstance(stratum.get("stratum"), str) or not stratum["stratum"]:
                problems.add(f"{spath}.stratum", "is required")
            _check_counts(stratum, spath, problems)
    else:
        _check_counts(value, path, problems)


def _check_other_value(value: Any, path: str, problems: _Problems) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, dict) and set(value) >= {"numerator", "denominator"}:
        num, den = value["numerator"], value["denominator"]
        if not _is_count(num) or not _is_count(den):
            problems.add(path, "numerator and denominator must be integers >= 0")
        elif num > den:
            problems.add(path, "numerator must not exceed denominator")
        return
    problems.add(path, "must be true/false or {numerator, denominator}")


def validate_measurement_set(body: Any) -> list[dict[str, str]]:
    """Problems of a measurement-set body (with its `submission` stub); [] when valid."""
    problems = _Problems()
    if not isinstance(body, dict):
        problems.add("$", "the body must be a JSON object")
        return problems.items
    sub = body.get("submission")
    year = None
    if not isinstance(sub, dict):
        problems.add("$.submission", "is required")
    else:
        entity = sub.get("entityType")
        if entity not in ENTITY_TYPES:
            problems.add("$.submission.entityType", f"must be one of {sorted(ENTITY_TYPES)}")
        tin = sub.get("taxpayerIdentificationNumber")
        if not isinstance(tin, str) or not re.fullmatch(r"\d{9}", tin):
            problems.add("$.submission.taxpayerIdentificationNumber", "must be 9 digits")
        npi = sub.get("nationalProviderIdentifier")
        if entity == "individual":
            if not isinstance(npi, str) or not re.fullmatch(r"\d{10}", npi):
                problems.add("$.submission.nationalProviderIdentifier", "must be 10 digits")
        elif npi is not None:
            problems.add(
                "$.submission.nationalProviderIdentifier", "is only allowed for individuals"
            )
        if entity in ("apm", "virtualGroup", "subgroup") and not sub.get("entityId"):
            problems.add("$.submission.entityId", f"is required for {entity}")
        year = sub.get("performanceYear")
        if not isinstance(year, int) or isinstance(year, bool) or not 2017 <= year <= 2100:
            problems.add("$.submission.performanceYear", "must be a year (integer)")
            year = None
    category = body.get("category")
    if category not in CATEGORIES:
        problems.add("$.category", f"must be one of {sorted(CATEGORIES)}")
    method = body.get("submissionMethod")
    if method not in METHODS:
        problems.add("$.submissionMethod", f"must be one of {sorted(METHODS)}")
    if not isinstance(body.get("programName", "mips"), str):
        problems.add("$.programName", "must be a string")
    needs_cehrt = category == "pi" or (category == "quality" and method == "electronicHealthRecord")
    cehrt = body.get("cehrtId")
    if needs_cehrt and (not isinstance(cehrt, str) or not CEHRT.fullmatch(cehrt)):
        problems.add("$.cehrtId", "is required: 2025CXXXXXXXXXX or XX15CXXXXXXXXXX")
    start, end = _date(body.get("performanceStart")), _date(body.get("performanceEnd"))
    if start is None:
        problems.add("$.performanceStart", "must be a date YYYY-MM-DD")
    if end is None:
        problems.add("$.performanceEnd", "must be a date YYYY-MM-DD")
    if start and end:
        if end < start:
            problems.add("$.performanceEnd", "must not be before performanceStart")
        if year and (start.year != year or end.year != year):
            problems.add("$.performanceStart", f"the period must lie in {year}")
    measurements = body.get("measurements")
    if not isinstance(measurements, list) or not measurements:
        problems.add("$.measurements", "must be a non-empty array")
        return problems.items
    seen: set[str] = set()
    for i, m in enumerate(measurements):
        path = f"$.measurements[{i}]"
        if not isinstance(m, dict):
            problems.add(path, "must be an object")
            continue
        measure_id = m.get("measureId")
        if not isinstance(measure_id, str) or not measure_id:
            problems.add(f"{path}.measureId", "is required")
        elif measure_id in seen:
            problems.add(f"{path}.measureId", f"{measure_id} appears twice")
        else:
            seen.add(measure_id)
        if "value" not in m:
            problems.add(f"{path}.value", "is required")
        elif category == "quality":
            _check_quality_value(m["value"], f"{path}.value", problems)
        else:
            _check_other_value(m["value"], f"{path}.value", problems)
    return problems.items


def _computed(measurement: dict) -> dict:
    """Echo a quality measurement with QPP's computed fields (QPP_API.md 2.3); IA and PI
    yes/no values are echoed as they are."""
    if not isinstance(measurement.get("value"), dict):
        return dict(measurement)
    value = dict(measurement["value"])
    if isinstance(measurement.get("value"), dict) and "performanceMet" in value:
        met, not_met = value["performanceMet"], value["performanceNotMet"]
        eligible = value["eligiblePopulation"]
        reported = met + not_met + value["eligiblePopulationExclusion"]
        reported += value["eligiblePopulationException"]
        value["performanceRate"] = round(met * 100 / (met + not_met), 2) if met + not_met else None
        value["reportingRate"] = round(reported * 100 / eligible, 2) if eligible else None
        value["caseCount"] = eligible
    return {**measurement, "value": value}


class SubmissionsStore:
    """Submissions per (entity, TIN, NPI, year), each with its measurement sets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_key: dict[tuple, str] = {}
        self.submissions: dict[str, dict] = {}

    def save(self, body: dict) -> dict:
        sub = body["submission"]
        # Two subgroups of one TIN are two submissions: the entity id is part of the key.
        key = (
            sub["entityType"],
            sub["taxpayerIdentificationNumber"],
            sub.get("nationalProviderIdentifier"),
            sub["performanceYear"],
            sub.get("entityId"),
        )
        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._lock:
            sid = self.by_key.get(key)
            if sid is None:
                sid = self.by_key[key] = str(uuid.uuid4())
                self.submissions[sid] = {
                    "id": sid,
                    "entityType": key[0],
                    "taxpayerIdentificationNumber": key[1],
                    "performanceYear": key[3],
                    "measurementSets": [],
                    **({"nationalProviderIdentifier": key[2]} if key[2] else {}),
                    **({"entityId": key[4]} if key[4] else {}),
                }
            submission = self.submissions[sid]
            fields = {k: v for k, v in body.items() if k != "submission"}
            ident = (fields["category"], fields["submissionMethod"], fields.get("programName"))
            sets = [
                s
                for s in submission["measurementSets"]
                if (s["category"], s["submissionMethod"], s.get("programName")) != ident
            ]
            created = {
                **fields,
                "id": str(uuid.uuid4()),
                "submissionId": sid,
                "createdAt": now,
                "updatedAt": now,
                "submitterType": "organization",
                "programName": fields.get("programName", "mips"),
                "measurements": [_computed(m) for m in fields["measurements"]],
            }
            submission["measurementSets"] = [*sets, created]
        return created

    def get(self, submission_id: str) -> dict | None:
        with self._lock:
            found = self.submissions.get(submission_id)
            return json.loads(json.dumps(found)) if found else None


def _score(submission: dict) -> dict:
    from mips.scoring.submission import score_submission_document

    return score_submission_document(submission)


def _read_json(environ) -> tuple[Any, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return None, "the request has no body"
    if length > MAX_BODY:
        return None, f"the body is larger than {MAX_BODY} bytes"
    try:
        return json.loads(environ["wsgi.input"].read(length)), ""
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"the body is not JSON ({exc})"


def handle(store: SubmissionsStore, environ, respond) -> list[bytes]:
    """Answer one `/api/submissions/...` request. `respond(status, body)` writes JSON."""
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    if MS_PATH.match(path) and method == "POST":
        body, problem = _read_json(environ)
        if problem:
            return respond(400, _error("ValidationError", problem))
        details = validate_measurement_set(body)
        if details:
            return respond(400, _error("ValidationError", "invalid measurement set", details))
        return respond(201, {"data": {"measurementSet": store.save(body)}})
    if (m := SCORE_PATH.match(path)) and method == "GET":
        submission = store.get(m.group(1))
        if submission is None:
            return respond(404, _error("NotFound", "no submission with that id"))
        return _scored(respond, submission)
    if PREVIEW_PATH.match(path) and method == "POST":
        body, problem = _read_json(environ)
        if problem:
            return respond(400, _error("ValidationError", problem))
        submission = body.get("submission", body) if isinstance(body, dict) else None
        details: list[dict[str, str]] = []
        for i, ms in enumerate((submission or {}).get("measurementSets") or [None]):
            stub = {k: v for k, v in (submission or {}).items() if k != "measurementSets"}
            for d in validate_measurement_set({**(ms or {}), "submission": stub}):
                details.append({**d, "path": d["path"].replace("$", f"$.measurementSets[{i}]")})
        if details:
            return respond(400, _error("ValidationError", "invalid submission", details))
        return _scored(respond, submission)
    return respond(404, _error("NotFound", f"No route {method} {path}"))


def _scored(respond, submission: dict):
    # The engine refuses what CMS would (unknown measure or stratum, negative count): a 422
    # with its message, never a 500.
    try:
        return respond(200, {"data": _score(submission)["data"]})
    except ValueError as exc:
        return respond(422, _error("ValidationError", str(exc)))


def _error(kind: str, message: str, details: list | None = None) -> dict:
    error: dict[str, Any] = {"type": kind, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def fake_qpp_app(source) -> FakeQppApp:
    """The whole fake QPP host: the Eligibility API for `source`'s clinicians and the
    Submissions API (in memory, per app) under /api/submissions/."""
    return FakeQppApp(
        source, mounts={"/api/submissions/": functools.partial(handle, SubmissionsStore())}
    )
