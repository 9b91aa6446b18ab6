"""A local fake of the QPP Eligibility API (v6) for the demo, the benchmark and tests; other
QPP APIs are mounted on the same host by the app that owns them (the Submissions API:
mips.submission.fake_api.fake_qpp_app), so this module knows nothing of them.

It answers `/api/eligibility/npi/{npi}` and `/api/eligibility/npis/{npi},...` with v6
bodies built for the clinicians of our own database, so that organizations carry our
medical groups' names and addresses (TINs masked, as the public API does). Each NPI gets
a scenario: the demo practice's clinicians have fixed ones (an eligible individual, a
low-volume clinician with reasons, a QP, a newly enrolled one, an unknown NPI (404), an
organization whose address does not match, ...); any other NPI gets one picked from its
digits, mostly "eligible". The batch endpoint leaves unknown NPIs out of `data`, so the
client's single-lookup fallback is exercised too.

Run both APIs with `python manage.py run_fake_qpp --port 8765`. Tests build a
`StaticSource` in the test thread and serve it with `serve()` on a free port.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

# Another QPP API served on the same host: called with the WSGI environ and
# `respond(status, body)`, which writes a JSON answer.
Mount = Callable[[dict, Callable[[int, dict], list[bytes]]], list[bytes]]

# The demo's clinicians ("practice slug:last name") and what QPP says about them.
DEMO_SCENARIOS = {
    "seven-hills:Okafor": "eligible",
    "seven-hills:Whitfield": "eligible",
    "seven-hills:Raman": "opt_in",
    "seven-hills:Kowalski": "low_volume",
    "seven-hills:Marquez": "group_only",
    "seven-hills:Brooks": "opted_in",
    "seven-hills:Liu": "eligible_hpsa",
    "seven-hills:Haddad": "address_mismatch",
    "seven-hills:Schmidt": "unknown",
    "seven-hills:Nguyen": "qp",
    "seven-hills:Castillo": "other_tin",
    "seven-hills:Fischer": "newly_enrolled",
    "lakeside:Bennett": "eligible_small_rural",
    "lakeside:Sullivan": "eligible_euc",
    "lakeside:Moreau": "group_only",
}

# Everyone else: scenario by NPI digits (per cent buckets), mostly eligible.
MIX = [
    (70, "eligible"),
    (78, "group_only"),
    (84, "opt_in"),
    (88, "low_volume"),
    (91, "unknown"),
    (94, "address_mismatch"),
    (96, "qp"),
    (98, "newly_enrolled"),
    (100, "other_tin"),
]

SCENARIOS = {name for _, name in MIX} | set(DEMO_SCENARIOS.values())


@dataclass(frozen=True)
class FakeOrg:
    name: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str


@dataclass(frozen=True)
class FakeClinician:
    npi: str
    first_name: str
    last_name: str
    specialty: str
    orgs: tuple[FakeOrg, ...]
    scenario: str


def scenario_for(npi: str, demo_key: str = "") -> str:
    if demo_key in DEMO_SCENARIOS:
        return DEMO_SCENARIOS[demo_key]
    bucket = int(npi[-4:-1] or 0) % 100  # the last digit is a check digit
    return next(name for upper, name in MIX if bucket < upper)


def _scenario_block(
    *,
    individual: bool,
    group: bool,
    lvt: str = "",
    opt_in: bool = False,
    opted_in: bool | None = None,
    small: bool = False,
    rural: bool = False,
    hpsa: bool = False,
    euc: bool = False,
    specialty: str = "",
    for_group: bool = False,
) -> dict:
    euc_reasons = {"quality": euc, "improvementActivities": euc, "aci": euc, "cost": euc}
    block = {
        "aciHardship": False,
        "aciReweighting": False,
        "aggregationLevel": 2 if for_group else 1,
        "ambulatorySurgicalCenter": False,
        "extremeHardship": euc,
        "extremeHardshipReasons": euc_reasons,
        "extremeHardshipSources": ["auto-fema"] if euc else [],
        "hospitalBasedClinician": False,
        "hpsaClinician": hpsa,
        "iaStudy": False,
        "isFacilityBased": False,
        "isOptedIn": opted_in,
        "isOptInEligible": opt_in,
        "lowVolumeServices": 40 if lvt else 1200,
        "lowVolumeStatusReasons": [
            {"lowVolStusRsnCd": lvt, "lowVolStusRsnDesc": f"Fell below the threshold ({lvt})"}
        ]
        if lvt
        else [],
        "lowVolumeSwitch": bool(lvt),
        "mipsEligibleSwitch": True,
        "nonPatientFacing": False,
        "optInDecisionDate": "2026-03-02T00:00:00.000Z" if opted_in else None,
        "ruralClinician": rural,
        "smallGroupPractitioner": small,
    }
    if euc:
        block["extremeHardshipEventType"] = "Natural Disaster"
    if for_group:
        block["isEligible"] = {"group": group}
    else:
        block["eligibilityScenario"] = 1000
        block["isEligible"] = {
            "individual": individual,
            "group": group,
            "mipsApm": False,
            "virtualGroup": False,
        }
        block["specialty"] = {
            "specialtyDescription": specialty or "Family Practice",
            "categoryReference": "Physicians",
            "typeDescription": "Doctor of Medicine",
        }
        block["specialtyCode"] = "08"
    return block


def provider_payload(c: FakeClinician) -> dict | None:
    """The v6 per-NPI object for a clinician, or None for an NPI QPP does not know."""
    s = c.scenario
    if s == "unknown":
        return None
    flags = {
        "small": s == "eligible_small_rural" or int(c.npi[-3]) % 3 == 0,
        "rural": s == "eligible_small_rural",
        "hpsa": s == "eligible_hpsa",
    }
    ind = {"individual": True, "group": True}
    grp_lvt = ""
    if s == "group_only":
        ind = {"individual": False, "group": True, "lvt": "BENE"}
    elif s == "opt_in":
        ind = {"individual": False, "group": True, "lvt": "CHRG", "opt_in": True}
    elif s == "opted_in":
        ind = {"individual": False, "group": True, "lvt": "CHRG", "opt_in": True, "opted_in": True}
    elif s == "low_volume":
        ind = {"individual": False, "group": False, "lvt": "BOTH"}
        grp_lvt = "BOTH"
    elif s in {"qp", "newly_enrolled"}:
        ind = {"individual": False, "group": False}
    euc = s == "eligible_euc"
    orgs = []
    for org in c.orgs:
        line1, zip_code = org.address_line1, org.zip_code
        name = org.name
        if s == "address_mismatch":
            line1, zip_code = f"9{line1}", "45999"
        elif s == "other_tin":
            name, line1, zip_code = "Riverside Behavioral Health LLC", "77 River Road", "45150"
        orgs.append(
            {
                "TIN": "XXXXXXXXXX",
                "prvdrOrgName": name.upper(),
                "isFacilityBased": False,
                "addressLineOne": line1.upper(),
                "addressLineTwo": org.address_line2.upper(),
                "city": org.city.upper(),
                "zip": re.sub(r"\D", "", zip_code)[:5] + "0000",
                "state": org.state.upper(),
                "individualScenario": _scenario_block(
                    **ind, **flags, euc=False, specialty=c.specialty
                ),
                "groupScenario": _scenario_block(
                    individual=False,
                    group=ind["group"],
                    lvt=grp_lvt,
                    euc=euc,
                    for_group=True,
                    **flags,
                ),
                "apms": [
                    {
                        "entityName": "Ohio Valley Accountable Care LLC",
                        "apmId": "08",
                        "apmName": "Medicare Shared Savings Program Accountable Care Organizations",
                        "subdivisionId": "03",
                        "subdivisionName": "MSSP ACO - ENHANCED",
                        "advancedApmFlag": True,
                        "mipsApmFlag": True,
                        "providerRelationshipCode": "P",
                        "isOptedIn": None,
                    }
                ]
                if s == "qp"
                else [],
                "virtualGroups": [],
            }
        )
        if s == "other_tin":
            break  # one foreign organization is enough
    return {
        "firstName": c.first_name.upper(),
        "middleName": "",
        "lastName": c.last_name.upper(),
        "npi": c.npi,
        "nationalProviderIdentifierType": 1,
        "firstApprovedDate": "2026-01-15" if s == "newly_enrolled" else "2012-03-15",
        "yearsInMedicare": 0 if s == "newly_enrolled" else 13,
        "pecosEnrollmentDate": 2026 if s == "newly_enrolled" else 2012,
        "newlyEnrolled": s == "newly_enrolled",
        "qpStatus": "Y" if s == "qp" else "N",
        "isMaqi": False,
        "qpScoreType": "MI" if s == "qp" else None,
        "amsMipsEligibleClinician": s == "qp" or None,
        "organizations": orgs,
    }


class StaticSource:
    """Clinicians known up front (tests; no database access from the server thread)."""

    def __init__(self, clinicians: Iterable[FakeClinician]) -> None:
        self.by_npi = {c.npi: c for c in clinicians}

    def __call__(self, npis: list[str]) -> dict[str, FakeClinician]:
        return {n: self.by_npi[n] for n in npis if n in self.by_npi}


def clinicians_from_db(npis: list[str] | None = None) -> list[FakeClinician]:
    """Our database's clinicians (all practices) with their groups, as the fake knows them."""
    from django_scopes import scopes_disabled

    from practices.models import TinNpi

    with scopes_disabled():
        qs = TinNpi.objects.filter(is_active=True).exclude(provider__npi="")
        if npis is not None:
            qs = qs.filter(provider__npi__in=npis)
        rows = qs.values_list(
            "provider__npi",
            "provider__first_name",
            "provider__last_name",
            "provider__specialty",
            "practice__slug",
            "medical_group__name",
            "medical_group__address_line1",
            "medical_group__address_line2",
            "medical_group__city",
            "medical_group__state",
            "medical_group__zip_code",
        ).order_by("provider__npi", "medical_group__name")
        grouped: dict[str, list] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
    result = []
    for npi, items in grouped.items():
        _, first, last, specialty, slug = items[0][:5]
        orgs = tuple(FakeOrg(*r[5:]) for r in items)
        result.append(
            FakeClinician(npi, first, last, specialty, orgs, scenario_for(npi, f"{slug}:{last}"))
        )
    return result


def db_source(npis: list[str]) -> dict[str, FakeClinician]:
    """Looks clinicians up per request, so the fake follows the demo's edits."""
    from django.db import connections

    try:
        return {c.npi: c for c in clinicians_from_db(npis)}
    finally:
        # wsgiref threads die after each request: close their connections with them.
        connections.close_all()


NPI_PATH = re.compile(r"^/api/eligibility/npi/([^/]+)/?$")
NPIS_PATH = re.compile(r"^/api/eligibility/npis/([^/]+)/?$")


class FakeQppApp:
    """The WSGI application. `source(npis) -> {npi: FakeClinician}` supplies the data;
    `mounts` maps a path prefix to another API answered on the same host."""

    def __init__(
        self,
        source: Callable[[list[str]], dict[str, FakeClinician]],
        mounts: Mapping[str, Mount] | None = None,
    ) -> None:
        self.source = source
        self.mounts = dict(mounts or {})
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.requests += 1
        path = environ.get("PATH_INFO", "")
        for prefix, mount in self.mounts.items():
            if path.startswith(prefix):
                return mount(environ, lambda s, b: self._json(start_response, s, b))
        query = parse_qs(environ.get("QUERY_STRING", ""))
        year = (query.get("year") or ["2026"])[0]
        if not year.isdigit():
            return self._json(start_response, 400, _error("InvalidYear", "year must be a number"))
        if m := NPI_PATH.match(path):
            npi = m.group(1)
            if not re.fullmatch(r"\d{10}", npi):
                return self._json(
                    start_response, 400, _error("InvalidFormatNpi", "Please supply a valid NPI")
                )
            found = self.source([npi]).get(npi)
            payload = provider_payload(found) if found else None
            if payload is None:
                return self._json(
                    start_response,
                    404,
                    _error(
                        "NoProviderInformation",
                        "No individual clinician information exists for this NPI",
                    ),
                )
            return self._json(start_response, 200, {"data": payload})
        if m := NPIS_PATH.match(path):
            npis = [n for n in m.group(1).split(",") if n]
            if not npis or any(not re.fullmatch(r"\d{10}", n) for n in npis):
                return self._json(
                    start_response, 400, _error("InvalidFormatNpi", "Please supply a valid NPI")
                )
            found = self.source(npis)
            data = [p for n in npis if n in found and (p := provider_payload(found[n]))]
            return self._json(start_response, 200, {"data": data})
        if path == "/healthz":
            return self._json(start_response, 200, {"ok": True})
        return self._json(start_response, 404, _error("NotFound", f"No route {path}"))

    @staticmethod
    def _json(start_response, status: int, body: dict):
        reason = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found"}.get(
            status, "Error"
        )
        data = json.dumps(body).encode()
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]


def _error(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    # wsgiref writes headers and body separately; with Nagle and delayed ACKs that costs
    # ~40 ms per response.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


def make_fake_server(app: FakeQppApp, host: str = "127.0.0.1", port: int = 0) -> WSGIServer:
    """A threading WSGI server for the app (port 0: a free port)."""
    return make_server(
        host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )


def serve(app: FakeQppApp, host: str = "127.0.0.1", port: int = 0) -> tuple[WSGIServer, str]:
    """Start serving in a daemon thread; returns the server and its base URL."""
    server = make_fake_server(app, host, port)
    threading.Thread(
        target=server.serve_forever, args=(0.05,), daemon=True, name="fake-qpp"
    ).start()
    return server, f"http://{host}:{server.server_port}"
