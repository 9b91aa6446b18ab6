"""Demo data for enrollment: the catalog, enrollments, a few open cases, operator-added
measures, and a clinician (clinician@sevenhills.test, Dr. Okafor) who has not yet
accepted the terms. Idempotent."""

from __future__ import annotations

import datetime as dt

from practices.demo import DemoContext
from practices.models import TinNpi
from practices.performance_year import default_year

from .catalog import load_file, shipped_file, shipped_years
from .models import CaseKind, CaseStatus, EnrollmentCase, Measure, Program, ProgramKind
from .queries import program_of_kind
from .services.cases import open_case, set_case_status
from .services.enrollments import add_operator_measures, enroll_tin_npi

DEMO_TAG = "[demo]"


def _tin_npi(ctx: DemoContext, last: str, group: str) -> TinNpi:
    return TinNpi.objects.get(
        provider=ctx.providers[f"seven-hills:{last}"], medical_group=ctx.groups[group]
    )


def _case(ctx: DemoContext, key: str, **kwargs) -> EnrollmentCase:
    practice = ctx.practices["seven-hills"]
    details = f"{DEMO_TAG} {key}"
    existing = EnrollmentCase.objects.filter(practice=practice, details=details).first()
    if existing:
        return existing
    return open_case(
        practice=practice, actor=ctx.users["quality@sevenhills.test"], details=details, **kwargs
    )


# (last name, TIN key, source): in MIPS Quality, PI and IA in the prior and current year.
MIPS_ENROLLEES = [
    ("Okafor", "north", "self_serve"),
    ("Okafor", "south", "auto"),
    ("Whitfield", "north", "auto"),
    ("Raman", "north", "auto"),
    ("Kowalski", "north", "self_serve"),
    ("Liu", "south", "auto"),
    ("Haddad", "south", "auto"),
]
QUALITY_MEASURES = ("001", "134", "236")
# A practice-defined program (kind "custom"): tracked in QMR, never on the MIPS dashboard.
CUSTOM_CODE = "seven-hills-diabetes"
CUSTOM_MEASURES = ("001", "236")
CUSTOM_ENROLLEES = [("Liu", "south"), ("Haddad", "south")]


def _custom_program(year: int) -> Program:
    program, _ = Program.objects.update_or_create(
        year=year,
        code=CUSTOM_CODE,
        defaults={
            "kind": ProgramKind.CUSTOM,
            "name": "Seven Hills Diabetes Care Initiative",
            "description": "Practice-defined: diabetes and blood pressure control, tracked "
            "in Quality Management Reporting; never submitted to CMS.",
            "submits_to_cms": False,
        },
    )
    program.measures.set(Measure.objects.filter(year=year, measure_id__in=CUSTOM_MEASURES))
    return program


def _enroll_year(ctx: DemoContext, year: int) -> int:
    """One performance year's enrollments: MIPS Quality/PI/IA, Dr. Schmidt in Not for
    Attestation, two clinicians in the custom program. Returns how many."""
    quality = program_of_kind(year, ProgramKind.MIPS_QUALITY)
    pi = program_of_kind(year, ProgramKind.MIPS_PI)
    ia = program_of_kind(year, ProgramKind.MIPS_IA)
    nfa = program_of_kind(year, ProgramKind.MIPS_QUALITY_NFA)
    qm = ctx.users["quality@sevenhills.test"]
    picked = list(Measure.objects.filter(year=year, measure_id__in=QUALITY_MEASURES))
    enrolled = 0
    for last, group, source in MIPS_ENROLLEES:
        tn = _tin_npi(ctx, last, group)
        for program in (quality, pi, ia):
            enroll_tin_npi(
                tin_npi=tn,
                program=program,
                year=year,
                source=source,
                actor=qm,
                measures=picked if program == quality else (),
            )
            enrolled += 1
    enroll_tin_npi(
        tin_npi=_tin_npi(ctx, "Schmidt", "south"),
        program=nfa,
        year=year,
        source="self_serve",
        actor=qm,
        measures=picked,
    )
    custom = _custom_program(year)
    for last, group in CUSTOM_ENROLLEES:
        enroll_tin_npi(
            tin_npi=_tin_npi(ctx, last, group), program=custom, year=year, source="operator",
            actor=ctx.users["staff@portal.test"],
        )  # fmt: skip
    return enrolled + 1 + len(CUSTOM_ENROLLEES)


def seed(ctx: DemoContext) -> None:
    loaded = []
    for year in shipped_years():
        if not Measure.objects.filter(year=year).exists():
            load_file(year, shipped_file(year))
            loaded.append(year)
    year = default_year(shipped_years())
    enrolled = sum(_enroll_year(ctx, y) for y in (year - 1, year))
    quality = program_of_kind(year, ProgramKind.MIPS_QUALITY)
    measures = {
        m.measure_id: m for m in Measure.objects.filter(year=year, measure_id__in=["226", "317"])
    }
    # The operator added measures to Dr. Whitfield's MIPS Quality (Practice Files CSV).
    whitfield = _tin_npi(ctx, "Whitfield", "north").enrollments.get(
        program=quality, status="active"
    )
    add_operator_measures(
        enrollment=whitfield,
        measures=[measures[m] for m in ("226", "317") if m in measures],
        actor=ctx.users["staff@portal.test"],
    )

    _case(
        ctx,
        "enroll-nguyen",
        kind=CaseKind.ENROLL_PROVIDER,
        year=year,
        tin_npi=_tin_npi(ctx, "Nguyen", "south"),
        target_program=quality,
    )
    pi_case = _case(
        ctx,
        "pi-north",
        kind=CaseKind.PI_180_DAY,
        year=year,
        tin_npi=_tin_npi(ctx, "Raman", "north"),
        period_start=dt.date(year, 7, 1),
        period_end=dt.date(year, 12, 31),
    )
    if pi_case.status == CaseStatus.NEW:
        set_case_status(
            case=pi_case, actor=ctx.users["staff@portal.test"], status=CaseStatus.IN_PROGRESS
        )
    _case(
        ctx,
        "unenroll-brooks",
        kind=CaseKind.UNENROLL,
        year=year,
        tin_npi=_tin_npi(ctx, "Brooks", "north"),
    )
    catalog = f"loaded for {', '.join(map(str, loaded))}" if loaded else "present"
    ctx.log.append(
        f"enrollment: catalog {catalog}; "
        f"{enrolled} enrollments in {year - 1} and {year}; 3 open cases; Dr. Okafor "
        "(clinician@sevenhills.test) has not accepted the terms yet"
    )
