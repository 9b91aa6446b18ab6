"""Typed records of QPP Eligibility API (v6) answers, and their validating parser.

`parse_provider(obj)` turns one per-NPI `data` object into a `ProviderRecord` or raises
`MalformedResponse` with a reason. Unknown keys are ignored; missing optional keys get
neutral defaults, because QPP omits some of them (e.g. `amsMipsEligibleClinician`
outside APMs). Wrong types raise: a body we cannot trust is a failed lookup.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

MASKED_TIN = re.compile(r"^X+$", re.IGNORECASE)
NPI_RE = re.compile(r"^\d{10}$")


class MalformedResponse(ValueError):
    """A QPP body that does not have the documented shape; the message says where."""


@dataclass(frozen=True)
class Scenario:
    """individualScenario or groupScenario of one organization."""

    eligible_individual: bool | None = None
    eligible_group: bool | None = None
    eligible_mips_apm: bool | None = None
    mips_eligible_switch: bool | None = None
    low_volume_switch: bool | None = None
    low_volume_reasons: tuple[str, ...] = ()
    low_volume_services: int | None = None
    small_practice: bool = False
    rural: bool = False
    hpsa: bool = False
    hospital_based: bool = False
    facility_based: bool = False
    non_patient_facing: bool = False
    ambulatory_surgical_center: bool = False
    pi_reweighting: bool = False
    pi_hardship: bool = False
    extreme_hardship: bool = False
    extreme_hardship_categories: tuple[str, ...] = ()
    extreme_hardship_event_type: str = ""
    extreme_hardship_sources: tuple[str, ...] = ()
    opt_in_eligible: bool = False
    opted_in: bool | None = None
    opt_in_decision_date: dt.date | None = None
    specialty: str = ""
    specialty_code: str = ""


@dataclass(frozen=True)
class Apm:
    apm_id: str
    apm_name: str
    entity_name: str
    advanced: bool
    mips_apm: bool


@dataclass(frozen=True)
class Organization:
    tin: str | None  # None when masked ("XXXXXXXXXX"), the public API's normal case
    name: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str
    individual: Scenario | None
    group: Scenario | None
    apms: tuple[Apm, ...] = ()

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.city, f"{self.state} {self.zip_code}"]
        return ", ".join(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True)
class ProviderRecord:
    npi: str
    first_name: str
    last_name: str
    newly_enrolled: bool | None
    qp_status: str
    qp_score_type: str
    organizations: tuple[Organization, ...] = field(default_factory=tuple)
    specialty: str = ""


# QPP's extremeHardshipReasons keys -> our category codes (ACI is the old name of PI).
EUC_CATEGORIES = {"quality": "quality", "aci": "pi", "improvementActivities": "ia", "cost": "cost"}


def _where(path: str, msg: str) -> MalformedResponse:
    return MalformedResponse(f"{path}: {msg}")


def _obj(value: Any, path: str, *, optional: bool = False) -> dict | None:
    if value is None and optional:
        return None
    if not isinstance(value, dict):
        raise _where(path, f"expected an object, got {type(value).__name__}")
    return value


def _bool(obj: dict, key: str, path: str, *, default: bool | None = None) -> bool | None:
    value = obj.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    # groupScenario.isEligible.group is documented as "boolean | string".
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "y", "n"}:
        return value.strip().lower() in {"true", "y"}
    raise _where(f"{path}.{key}", f"expected a boolean, got {value!r}")


def _flag(obj: dict, key: str, path: str) -> bool:
    return bool(_bool(obj, key, path, default=False))


def _str(obj: dict, key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _where(f"{path}.{key}", f"expected a string, got {value!r}")


def _int(obj: dict, key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _where(f"{path}.{key}", f"expected a number, got {value!r}")
    return int(value)


def _list(obj: dict, key: str, path: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _where(f"{path}.{key}", f"expected a list, got {type(value).__name__}")
    return value


def _date(obj: dict, key: str, path: str) -> dt.date | None:
    value = _str(obj, key, path)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _where(f"{path}.{key}", f"not a date: {value!r}") from None


def parse_scenario(obj: dict, path: str) -> Scenario:
    eligible = _obj(obj.get("isEligible") or {}, f"{path}.isEligible")
    reasons = []
    for i, item in enumerate(_list(obj, "lowVolumeStatusReasons", path)):
        item = _obj(item, f"{path}.lowVolumeStatusReasons[{i}]")
        code = _str(item, "lowVolStusRsnCd", f"{path}.lowVolumeStatusReasons[{i}]")
        if code:
            reasons.append(code.upper())
    eh_reasons = _obj(obj.get("extremeHardshipReasons") or {}, f"{path}.extremeHardshipReasons")
    categories = tuple(
        ours
        for theirs, ours in EUC_CATEGORIES.items()
        if _flag(eh_reasons, theirs, f"{path}.extremeHardshipReasons")
    )
    sources = tuple(
        s for s in _list(obj, "extremeHardshipSources", path) if isinstance(s, str) and s
    )
    specialty = _obj(obj.get("specialty"), f"{path}.specialty", optional=True) or {}
    return Scenario(
        eligible_individual=_bool(eligible, "individual", f"{path}.isEligible"),
        eligible_group=_bool(eligible, "group", f"{path}.isEligible"),
        eligible_mips_apm=_bool(eligible, "mipsApm", f"{path}.isEligible"),
        mips_eligible_switch=_bool(obj, "mipsEligibleSwitch", path),
        low_volume_switch=_bool(obj, "lowVolumeSwitch", path),
        low_volume_reasons=tuple(reasons),
        low_volume_services=_int(obj, "lowVolumeServices", path),
        small_practice=_flag(obj, "smallGroupPractitioner", path),
        rural=_flag(obj, "ruralClinician", path),
        hpsa=_flag(obj, "hpsaClinician", path),
        hospital_based=_flag(obj, "hospitalBasedClinician", path),
        facility_based=_flag(obj, "isFacilityBased", path),
        non_patient_facing=_flag(obj, "nonPatientFacing", path),
        ambulatory_surgical_center=_flag(obj, "ambulatorySurgicalCenter", path),
        pi_reweighting=_flag(obj, "aciReweighting", path),
        pi_hardship=_flag(obj, "aciHardship", path),
        extreme_hardship=_flag(obj, "extremeHardship", path),
        extreme_hardship_categories=categories,
        extreme_hardship_event_type=_str(obj, "extremeHardshipEventType", path),
        extreme_hardship_sources=sources,
        opt_in_eligible=_flag(obj, "isOptInEligible", path),
        opted_in=_bool(obj, "isOptedIn", path),
        opt_in_decision_date=_date(obj, "optInDecisionDate", path),
        specialty=_str(specialty, "specialtyDescription", f"{path}.specialty"),
        specialty_code=_str(obj, "specialtyCode", path),
    )


def parse_organization(obj: Any, path: str) -> Organization:
    obj = _obj(obj, path)
    tin = _str(obj, "TIN", path)
    individual = _obj(obj.get("individualScenario"), f"{path}.individualScenario", optional=True)
    group = _obj(obj.get("groupScenario"), f"{path}.groupScenario", optional=True)
    apms = []
    for i, apm in enumerate(_list(obj, "apms", path)):
        apm = _obj(apm, f"{path}.apms[{i}]")
        p = f"{path}.apms[{i}]"
        apms.append(
            Apm(
                apm_id=_str(apm, "apmId", p),
                apm_name=" ".join(_str(apm, "apmName", p).split()),
                entity_name=_str(apm, "entityName", p),
                advanced=_flag(apm, "advancedApmFlag", p),
                mips_apm=_flag(apm, "mipsApmFlag", p),
            )
        )
    return Organization(
        tin=None if not tin or MASKED_TIN.match(tin) else re.sub(r"\D", "", tin),
        name=_str(obj, "prvdrOrgName", path),
        address_line1=_str(obj, "addressLineOne", path),
        address_line2=_str(obj, "addressLineTwo", path),
        city=_str(obj, "city", path),
        state=_str(obj, "state", path),
        zip_code=_str(obj, "zip", path),
        individual=parse_scenario(individual, f"{path}.individualScenario") if individual else None,
        group=parse_scenario(group, f"{path}.groupScenario") if group else None,
        apms=tuple(apms),
    )


def parse_provider(obj: Any, path: str = "data") -> ProviderRecord:
    """One per-NPI object (`data` of /npi/, an item of `data` of /npis/)."""
    obj = _obj(obj, path)
    npi = _str(obj, "npi", path)
    if not NPI_RE.match(npi):
        raise _where(f"{path}.npi", f"expected a 10-digit NPI, got {npi!r}")
    qp_status = _str(obj, "qpStatus", path).upper()
    if len(qp_status) > 2:
        raise _where(f"{path}.qpStatus", f"unexpected value {qp_status!r}")
    specialty = _obj(obj.get("specialty"), f"{path}.specialty", optional=True) or {}
    orgs = tuple(
        parse_organization(org, f"{path}.organizations[{i}]")
        for i, org in enumerate(_list(obj, "organizations", path))
    )
    return ProviderRecord(
        npi=npi,
        first_name=_str(obj, "firstName", path),
        last_name=_str(obj, "lastName", path),
        newly_enrolled=_bool(obj, "newlyEnrolled", path),
        qp_status=qp_status,
        qp_score_type=_str(obj, "qpScoreType", path)[:2].upper(),
        organizations=orgs,
        specialty=_str(specialty, "specialtyDescription", f"{path}.specialty"),
    )


def parse_single_body(body: Any) -> ProviderRecord:
    """The body of GET /api/eligibility/npi/{npi}: {"data": {...}}."""
    body = _obj(body, "body")
    if "data" not in body:
        raise _where("body", "no 'data' key")
    return parse_provider(body["data"])
