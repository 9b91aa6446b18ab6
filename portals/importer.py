"""Import access issues from the claims workflow (layout: portals/IMPORT_FORMAT.md).

The whole file is validated first and written in one transaction: a file with any error
changes nothing. Rows are matched by their ids, so importing the same file twice is a
no-op and a later file updates labels, tasks and unpostables. Error messages name the
place in the file (issues[2].tasks[0].label) and never repeat a password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django_scopes import scopes_disabled

from practices.models import MedicalGroup, Practice

from .crypto import Secret
from .errors import ImportFormatError
from .models import (
    AccessIssue,
    AccountType,
    CoveredPayer,
    DepositKind,
    Label,
    PayerPortal,
    PortalTask,
    TaskKind,
    TaskNote,
    TaskStatus,
    Unpostable,
    WorkType,
)


@dataclass
class ImportResult:
    portals: int = 0
    issues_created: int = 0
    issues_updated: int = 0
    tasks: int = 0
    notes: int = 0
    unpostables: int = 0
    errors: list[str] = field(default_factory=list)


class _Reader:
    """Typed access to one JSON object, collecting errors with their path."""

    def __init__(self, data, path: str, errors: list[str]) -> None:
        self.path, self.errors = path, errors
        if not isinstance(data, dict):
            self.error("", "must be an object")
            data = {}
        self.data = data

    def error(self, key: str, message: str) -> None:
        where = f"{self.path}.{key}" if key else self.path
        self.errors.append(f"{where}: {message}")

    def text(self, key: str, *, required=True, max_length=None, default="") -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(key, "is required")
            return default
        if not isinstance(value, str):
            self.error(key, "must be a string")
            return default
        if max_length and len(value) > max_length:
            self.error(key, f"must be at most {max_length} characters")
        return value.strip()

    def choice(self, key: str, choices, *, default=None) -> str:
        value = self.data.get(key, default)
        allowed = [c.value for c in choices]
        if value not in allowed:
            self.error(key, f"must be one of {', '.join(allowed)}")
            return allowed[0]
        return value

    def when(self, key: str, *, required=True) -> dt.datetime | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(key, "is required")
            return None
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None or parsed.tzinfo is None:
            self.error(
                key, "must be an ISO 8601 date-time with a time zone, e.g. 2025-03-01T09:30:00Z"
            )
            return None
        return parsed

    def day(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.error(key, "must be a date, e.g. 2025-03-01")
        return parsed

    def flag(self, key: str, default=False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error(key, "must be true or false")
            return default
        return value

    def items(self, key: str, *, required=False) -> list:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.error(key, "must be a list")
            return []
        if required and not value:
            self.error(key, "must not be empty")
        return value


def import_issues(data) -> ImportResult:
    """Validate the whole document, then write it (all or nothing)."""
    result = ImportResult()
    root = _Reader(data, "$", result.errors)
    with scopes_disabled():
        plan = _validate(root, result.errors)
        if result.errors:
            return result
        with transaction.atomic():
            _write(plan, result)
    return result


def _validate(root: _Reader, errors: list[str]) -> dict:
    portals = {}
    for i, raw in enumerate(root.items("portals")):
        r = _Reader(raw, f"portals[{i}]", errors)
        key = r.text("key", max_length=50)
        covered = []
        for j, c in enumerate(r.items("covered_payers")):
            cr = _Reader(c, f"portals[{i}].covered_payers[{j}]", errors)
            covered.append((cr.text("name", max_length=200), cr.text("irc", max_length=100)))
        portals[key] = {
            "name": r.text("name", max_length=200),
            "url": r.text("url", max_length=500),
            "covered": covered,
        }
        if portals[key]["url"] and not portals[key]["url"].startswith(("https://", "http://")):
            r.error("url", "must start with https:// or http://")
    known_portals = set(portals) | set(PayerPortal.objects.values_list("key", flat=True))
    practices = {p.slug: p for p in Practice.objects.all()}
    groups = {(g.practice_id, g.tin): g for g in MedicalGroup.objects.all()}

    issues = []
    for i, raw in enumerate(root.items("issues")):
        path = f"issues[{i}]"
        r = _Reader(raw, path, errors)
        slug = r.text("practice")
        practice = practices.get(slug)
        if slug and practice is None:
            r.error("practice", f"no practice with slug '{slug}'")
        portal_key = r.text("portal")
        if portal_key and portal_key not in known_portals:
            r.error("portal", f"unknown portal '{portal_key}' (list it under 'portals')")
        issue = {
            "external_id": r.text("id", max_length=64),
            "practice": practice,
            "portal": portal_key,
            "summary": r.text("summary", max_length=255),
            "blocks": r.choice("blocks", WorkType),
            "impact": r.text("impact"),
            "label": r.choice("label", Label, default=Label.NEEDS_YOUR_ATTENTION.value),
            "reported_at": r.when("created"),
            "resolved_at": r.when("resolved", required=False),
            "tasks": [],
        }
        for j, traw in enumerate(r.items("tasks")):
            issue["tasks"].append(
                _validate_task(traw, f"{path}.tasks[{j}]", errors, practice, groups)
            )
        issues.append(issue)
    seen = set()
    for i, issue in enumerate(issues):
        key = (issue["practice"], issue["external_id"])
        if key in seen:
            errors.append(f"issues[{i}].id: '{issue['external_id']}' appears twice")
        seen.add(key)
    return {"portals": portals, "issues": issues}


def _validate_task(raw, path, errors, practice, groups) -> dict:
    r = _Reader(raw, path, errors)
    medical_groups = []
    for k, tin in enumerate(r.items("medical_groups")):
        group = groups.get((practice.pk, tin)) if practice and isinstance(tin, str) else None
        if practice and group is None:
            errors.append(
                f"{path}.medical_groups[{k}]: the practice has no medical group with TIN {tin!r}"
            )
        if group:
            medical_groups.append(group)
    tins = r.items("tins_to_add")
    if not all(isinstance(t, str) and 0 < len(t) <= 30 for t in tins):
        r.error("tins_to_add", "must be a list of numbers written as strings")
    account = _Reader(
        raw.get("account", {}) if isinstance(raw, dict) else {}, f"{path}.account", errors
    )
    password = account.data.get("password")
    if password is not None and not isinstance(password, str):
        # Do not echo the value: it may be a password in the wrong type.
        account.error("password", "must be a string")
        password = None
    task = {
        "number": r.text("id", max_length=32),
        "kind": r.choice("kind", TaskKind),
        "description": r.text("description"),
        "status": r.choice("status", TaskStatus, default=TaskStatus.PRACTICE.value),
        "need_assistance": r.flag("need_assistance"),
        "opened_at": r.when("created"),
        "tins_to_add": [t for t in tins if isinstance(t, str)],
        "medical_groups": medical_groups,
        "account_type": account.choice("type", AccountType, default=AccountType.PRACTICE.value),
        "account_username": account.text("username", required=False, max_length=150),
        "password": Secret(password) if password else None,
        "notes": [],
        "unpostables": [],
    }
    for k, nraw in enumerate(r.items("notes")):
        nr = _Reader(nraw, f"{path}.notes[{k}]", errors)
        task["notes"].append(
            {
                "author_name": nr.text("author", max_length=150),
                "text": nr.text("text"),
                "noted_at": nr.when("at"),
            }
        )
    for k, uraw in enumerate(r.items("unpostables")):
        ur = _Reader(uraw, f"{path}.unpostables[{k}]", errors)
        amount = ur.data.get("amount")
        try:
            amount = Decimal(str(amount)) if isinstance(amount, (str, int)) else None
        except InvalidOperation:
            amount = None
        if amount is None or amount < 0 or amount.as_tuple().exponent < -2:
            ur.error(
                "amount", 'must be a non-negative dollar amount written as a string, e.g. "125.40"'
            )
            amount = Decimal(0)
        task["unpostables"].append(
            {
                "number": ur.text("id", max_length=32),
                "deposit_kind": ur.choice("kind", DepositKind),
                "payer": ur.text("payer", required=False, max_length=200),
                "deposit_date": ur.day("deposit_date"),
                "blocked": ur.flag("blocked", default=True),
                "amount": amount,
            }
        )
    if task["unpostables"] and task["kind"] != TaskKind.UNPOSTABLES:
        r.error("unpostables", "only unpostables tasks have affected unpostables")
    return task


def _write(plan: dict, result: ImportResult) -> None:
    portals = {}
    for key, p in plan["portals"].items():
        portal, _ = PayerPortal.objects.update_or_create(
            key=key, defaults={"name": p["name"], "url": p["url"]}
        )
        for name, irc in p["covered"]:
            CoveredPayer.objects.update_or_create(portal=portal, name=name, defaults={"irc": irc})
        portals[key] = portal
        result.portals += 1
    for issue_data in plan["issues"]:
        portal = portals.get(issue_data["portal"]) or PayerPortal.objects.get(
            key=issue_data["portal"]
        )
        issue, created = AccessIssue.objects.update_or_create(
            practice=issue_data["practice"],
            external_id=issue_data["external_id"],
            defaults={
                "portal": portal,
                "summary": issue_data["summary"],
                "blocks": issue_data["blocks"],
                "impact": issue_data["impact"],
                "label": issue_data["label"],
                "reported_at": issue_data["reported_at"],
                "resolved_at": issue_data["resolved_at"],
            },
        )
        if created:
            result.issues_created += 1
        else:
            result.issues_updated += 1
        for t in issue_data["tasks"]:
            _write_task(issue, portal, t, result)


def _write_task(issue: AccessIssue, portal: PayerPortal, t: dict, result: ImportResult) -> None:
    defaults = {
        "issue": issue,
        "portal": portal,
        "kind": t["kind"],
        "description": t["description"],
        "status": t["status"],
        "need_assistance": t["need_assistance"],
        "opened_at": t["opened_at"],
        "tins_to_add": t["tins_to_add"],
        "account_type": t["account_type"],
        "account_username": t["account_username"],
    }
    if t["password"]:
        # Absent from the file means unchanged: the practice may have set it since.
        defaults["account_password"] = t["password"]
    task, _ = PortalTask.objects.update_or_create(
        practice=issue.practice, number=t["number"], defaults=defaults
    )
    task.medical_groups.set(t["medical_groups"])
    result.tasks += 1
    existing = set(task.notes.values_list("noted_at", "text"))
    for n in t["notes"]:
        if (n["noted_at"], n["text"]) in existing:
            continue
        TaskNote.objects.create(task=task, kind="note", **n)
        result.notes += 1
    for u in t["unpostables"]:
        Unpostable.objects.update_or_create(task=task, number=u.pop("number"), defaults=u)
        result.unpostables += 1


__all__ = ["ImportFormatError", "ImportResult", "import_issues"]
