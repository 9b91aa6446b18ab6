"""Validate QRDA documents against the CDA XSD and the HL7/CMS schematrons.

The schemas are CMS/HL7 artefacts, not our code, so they are read from a directory given
by settings.QRDA_VALIDATION_DIR / env QRDA_VALIDATION_DIR (layout: schema/infrastructure/
cda/CDA_SDTC.xsd, schematron/<set>/<file>.sch with voc.xml beside it). When it is absent,
`available()` is False and callers skip that layer (import keeps its own structural
checks). Schematrons are compiled once per process with lxml's ISO skeleton (XSLT 1.0);
the compiled stylesheet gets the .sch file's URL as its base so `document('voc.xml')`
resolves next to it, and XSLT access control denies network and writes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from lxml import etree
from lxml import isoschematron as iso

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
DEFAULT_DIR = "/work/shared/domain/qrda"

SCHEMATRONS = {
    "qrda1": "schematron/hl7_qrda1_stu5.3/HL7_QRDA_Category_I_STU_5.3.sch",
    "qrda3-2025": "schematron/cms_qrda3_2025/EP_CAT_III.sch",
    "qrda3-2026": "schematron/cms_qrda3_2026/EP_CAT_III.sch",
}
XSD = "schema/infrastructure/cda/CDA_SDTC.xsd"


@dataclass(frozen=True)
class Problem:
    """One failed check, told so a person can find and fix it: the line, the element
    (a short path such as `section/text/table/tbody`), the rule (CDA schema, or the
    schematron's CONF number) and what it requires."""

    layer: str  # "xsd" | "schematron"
    message: str
    location: str = ""  # raw: "line N" (xsd) or the SVRL XPath (schematron)
    line: int | None = None
    element: str = ""
    rule: str = ""

    def __str__(self) -> str:
        where = []
        if self.line:
            where.append(f"line {self.line}")
        if self.element:
            where.append(f"<{self.element}>")
        head = ", ".join(where)
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{head}: {self.message}{rule}" if head else f"{self.message}{rule}"


_NS = re.compile(r"\{[^}]*\}")
_STEP = re.compile(r"local-name\(\)='([^']+)'[^\]]*\](?:\[(\d+)\])?")
_CONF = re.compile(r"\s*\((CONF:[^)]+)\)\.?\s*$")


def _xsd_problem(error) -> Problem:
    # "Element '{urn:hl7-org:v3}tbody': Missing child element(s). Expected is ( ... )."
    text = _NS.sub("", error.message)
    element = ""
    if m := re.match(r"Element '([^']+)'(?:, attribute '([^']+)')?: ", text):
        element = m.group(1) + (f" @{m.group(2)}" if m.group(2) else "")
        text = text[m.end() :]
    return Problem(
        "xsd", text.strip(), f"line {error.line}", line=error.line, element=element,
        rule="CDA schema",
    )  # fmt: skip


def _short_path(location: str) -> str:
    """The SVRL location XPath as the last few element names (`section/entry[2]/act`)."""
    steps = [name + (f"[{n}]" if n and n != "1" else "") for name, n in _STEP.findall(location)]
    return "/".join(steps[-4:])


def _schematron_problem(tree: etree._ElementTree, text: str, location: str) -> Problem:
    line = None
    try:
        found = tree.xpath(location) if location else []
        if found and isinstance(found[0], etree._Element):
            line = found[0].sourceline
    except etree.XPathError:
        pass
    rule = ""
    if m := _CONF.search(text):
        rule, text = m.group(1), text[: m.start()]
    return Problem("schematron", text, location, line=line, element=_short_path(location),
                   rule=f"QRDA schematron {rule}".strip())  # fmt: skip


def base_dir() -> Path:
    configured = getattr(settings, "QRDA_VALIDATION_DIR", "") or os.environ.get(
        "QRDA_VALIDATION_DIR", DEFAULT_DIR
    )
    return Path(configured)


def available(kind: str = "qrda1") -> bool:
    base = base_dir()
    return (base / XSD).is_file() and (base / SCHEMATRONS[kind]).is_file()


@lru_cache(maxsize=2)
def _xsd(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(path, parser))


@lru_cache(maxsize=8)
def _schematron(path: str, phase: str) -> etree.XSLT:
    sch = etree.parse(path, etree.XMLParser(no_network=True, resolve_entities=False))
    expanded = iso.iso_abstract_expand(iso.iso_dsdl_include(sch))
    compiled = iso.iso_svrl_for_xslt1(expanded, phase=etree.XSLT.strparam(phase))
    stylesheet = etree.fromstring(etree.tostring(compiled), base_url=path)
    access = etree.XSLTAccessControl(
        read_network=False, write_file=False, create_dir=False, write_network=False
    )
    return etree.XSLT(stylesheet, access_control=access)


def xsd_problems(tree: etree._ElementTree) -> list[Problem]:
    schema = _xsd(str(base_dir() / XSD))
    if schema.validate(tree):
        return []
    return [_xsd_problem(e) for e in schema.error_log]  # type: ignore[attr-defined]


def schematron_problems(tree: etree._ElementTree, kind: str) -> list[Problem]:
    """Failed assertions of the schematron's `errors` phase (SHALL statements)."""
    report = _schematron(str(base_dir() / SCHEMATRONS[kind]), "errors")(tree)
    problems = []
    for failed in report.getroot().iter(f"{SVRL}failed-assert"):
        text = " ".join((failed.findtext(f"{SVRL}text") or "").split())
        problems.append(_schematron_problem(tree, text, failed.get("location", "")))
    return problems


def validate(tree: etree._ElementTree, kind: str) -> list[Problem]:
    """XSD, then (if the XSD passes) the schematron of `kind` (qrda1, qrda3-2025, qrda3-2026)."""
    problems = xsd_problems(tree)
    if problems:
        return problems
    return schematron_problems(tree, kind)


def qrda3_kind(year: int) -> str:
    kind = f"qrda3-{year}"
    if kind not in SCHEMATRONS:
        raise ValueError(f"no QRDA III schematron for {year}")
    return kind


def summary(problems: list[Problem], limit: int = 3) -> str:
    """The first `limit` problems, one per line, and how many more there are."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"(and {len(problems) - limit} more)")
    return "\n".join(lines)
