"""Quality Management Reporting rows: per program the practice takes part in (MIPS for
attestation, Not for Attestation, custom, regional) and year, one row per enrolled entity
(TIN/NPI, or TIN for a group enrollment), measure and population group, with the eCQM
counts of that entity and year (the very MeasureResult rows the eCQM Data page shows), the
prior year's rate for the trend, and CMS's benchmark decile.

Measures of an enrollment, as the score recalculation reads them (mips.recalculation):
the measures named on the enrollment; else the program's own list (custom and regional
programs) or the MVP's quality measures; else every eCQM with a result for the entity.

A fixed number of queries whatever the practice size: enrollments, enrollment measures,
program measures, catalog titles, eCQM results of both years.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from enrollment.kinds import QUALITY_CATALOG_KINDS
from enrollment.models import (
    Enrollment,
    EnrollmentMeasure,
    Measure,
    MeasureCategory,
    Program,
    ProgramKind,
)
from practices.models import Practice

from ..ecqm.measures import MEASURE_CLASSES
from ..models import MeasureResult
from ..scoring.direction import ecqm_decile, is_inverse

CLINICIAN, GROUP = "clinician", "group"
RESULT_FIELDS = ("year", "cms_id", "mips_id", "group_index", "tin", "npi", "inverse",
                 "ipp", "denom", "denex", "numer", "denexcep")  # fmt: skip
# Population-group names of measures with several (the eCQM Data page shows the same).
GROUP_LABELS = {"CMS138": ("Screening", "Cessation (MIPS rate)", "Combined")}


@dataclass
class QmrRow:
    enrollment: Enrollment
    kind: str  # CLINICIAN or GROUP
    measure_id: str  # MIPS quality id
    title: str
    group_index: int
    group_label: str
    inverse: bool
    result: Counts | None
    prior: Counts | None
    decile: int | None

    @property
    def program(self):
        return self.enrollment.program

    @property
    def tin_npi(self):
        return self.enrollment.tin_npi

    @property
    def medical_group(self):
        return self.enrollment.medical_group

    @cached_property
    def name(self) -> str:
        if self.tin_npi is not None:
            return self.tin_npi.provider.display_name
        return f"{self.medical_group.name} (group)"

    @property
    def tin(self) -> str:
        return self.medical_group.tin

    @property
    def masked_tin(self) -> str:
        return self.medical_group.masked_tin

    @property
    def npi(self) -> str:
        return self.tin_npi.provider.npi if self.tin_npi is not None else ""

    @property
    def entity_public_id(self):
        return (self.tin_npi or self.medical_group).public_id

    @property
    def cms_id(self) -> str:
        return self.result.cms_id if self.result else ""

    def _count(self, name: str) -> int | None:
        return getattr(self.result, name) if self.result else None

    @property
    def numerator(self) -> int | None:
        return self._count("numer")

    @property
    def denominator(self) -> int | None:
        return self._count("denom")

    @property
    def exclusions(self) -> int | None:
        return self._count("denex")

    @property
    def exceptions(self) -> int | None:
        return self._count("denexcep")

    @property
    def not_met(self) -> int | None:
        return self.result.performance_not_met if self.result else None

    @cached_property
    def rate(self) -> Decimal | None:
        return self.result.performance_rate if self.result else None

    @cached_property
    def prior_rate(self) -> Decimal | None:
        return self.prior.performance_rate if self.prior else None

    @property
    def change(self) -> Decimal | None:
        """Rate minus last year's rate, in percentage points."""
        if self.rate is None or self.prior_rate is None:
            return None
        return self.rate - self.prior_rate

    @property
    def improvement(self) -> Decimal | None:
        """The change in the measure's good direction (positive = better)."""
        change = self.change
        if change is None:
            return None
        return -change if self.inverse else change

    @property
    def trend(self) -> str:
        """ "better", "worse", "same" (an inverse measure improves as its rate falls), or ""
        when either year has no rate."""
        improvement = self.improvement
        if improvement is None:
            return ""
        if improvement == 0:
            return "same"
        return "better" if improvement > 0 else "worse"


def quality_enrollments(practice: Practice, year: int, *, user=None, own_only: bool = False):
    """Active enrollments of the year in programs with quality measures (every kind but PI
    and IA). `own_only`: the clinician's own TIN/NPIs, no group enrollments."""
    qs = (
        Enrollment.objects.for_practice(practice)
        .active()
        .for_year(year)
        .filter(program__kind__in=QUALITY_CATALOG_KINDS)
        .select_related("program__mvp", "tin_npi__provider", "medical_group")
    )
    if own_only:
        qs = qs.filter(tin_npi__provider__user=user) if user is not None else qs.none()
    return qs


class Counts(namedtuple("CountsRow", RESULT_FIELDS)):
    """One MeasureResult's counts, read as a tuple (a registry year holds tens of thousands
    of rows; model instances cost most of the page). The rate formulas are
    MeasureResult's own."""

    __slots__ = ()
    performance_not_met = MeasureResult.performance_not_met
    performance_denominator = MeasureResult.performance_denominator
    performance_rate = MeasureResult.performance_rate


def _results(
    practice: Practice, years: tuple[int, int], tins: set[str], npis: set[str] | None = None
) -> dict:
    """{(year, tin, npi, mips_id): [Counts by group_index]} for stratum 0 (`npis`: those
    NPIs' only, "" a group's: a page's rows, not their TINs' thousands)."""
    found: dict[tuple, list[Counts]] = defaultdict(list)
    rows = MeasureResult.objects.filter(practice=practice, year__in=years, stratum=0, tin__in=tins)
    if npis is not None:
        rows = rows.filter(npi__in=npis)
    rows = rows.order_by("group_index").values_list(*RESULT_FIELDS)
    for values in rows:
        r = Counts._make(values)
        found[(r.year, r.tin, r.npi, r.mips_id)].append(r)
    return found


def _decile(year: int, measure_id: str, result: Counts | None, groups: int) -> int | None:
    """CMS's decile for the rate (mips.scoring.direction); a measure with several
    population groups has no single-rate benchmark."""
    if result is None or groups != 1:
        return None
    return ecqm_decile(year, measure_id, result.performance_rate)


def _named_measures(enrollments: list[Enrollment]) -> tuple[dict, dict]:
    """Measure ids named on each enrollment, and each custom or regional program's own
    list: two queries of id pairs (no model rows: a registry has many thousands)."""
    named: dict[int, list[str]] = defaultdict(list)
    for enrollment_id, measure_id in (
        EnrollmentMeasure.objects.filter(enrollment_id__in=[e.pk for e in enrollments])
        .order_by("measure__measure_id")
        .values_list("enrollment_id", "measure__measure_id")
    ):
        named[enrollment_id].append(measure_id)
    own_lists = {
        e.program_id
        for e in enrollments
        if e.program.kind in (ProgramKind.CUSTOM, ProgramKind.REGIONAL)
    }
    listed: dict[int, list[str]] = defaultdict(list)
    for program_id, measure_id in (
        Program.measures.through.objects.filter(program_id__in=own_lists)
        .order_by("measure__measure_id")
        .values_list("program_id", "measure__measure_id")
    ):
        listed[program_id].append(measure_id)
    return named, listed


def _measure_ids(
    enrollment: Enrollment, named: dict, listed: dict, results_of_entity: list[str]
) -> list[str]:
    if enrollment.pk in named:
        return named[enrollment.pk]
    program = enrollment.program
    if program.kind in (ProgramKind.CUSTOM, ProgramKind.REGIONAL):
        return listed.get(program.pk, [])
    if program.kind == ProgramKind.MVP and program.mvp is not None:
        return list(program.mvp.quality_measure_ids)
    return results_of_entity


def qmr_rows(
    practice: Practice, year: int, *, user=None, own_only: bool = False, enrollment_ids=None
) -> list[QmrRow]:
    """Every QMR row of the year (unsorted, unfiltered), or those of the given enrollments
    (a page's: mips.qmr.table lists them). Five queries."""
    enrollments = quality_enrollments(practice, year, user=user, own_only=own_only)
    if enrollment_ids is not None:
        enrollments = enrollments.filter(pk__in=list(enrollment_ids))
    enrollments = list(enrollments)
    if not enrollments:
        return []
    named, listed = _named_measures(enrollments)
    tins = {e.medical_group.tin for e in enrollments}
    npis = {_npi(e) for e in enrollments} if enrollment_ids is not None else None
    results = _results(practice, (year, year - 1), tins, npis)
    by_entity: dict[tuple[str, str], list[str]] = defaultdict(list)
    for y, tin, npi, mips_id in results:
        if y == year:
            by_entity[(tin, npi)].append(mips_id)
    wanted = {
        mid
        for e in enrollments
        for mid in _measure_ids(e, named, listed, by_entity.get((e.medical_group.tin, _npi(e)), []))
    }
    catalog = {
        m.measure_id: m
        for m in Measure.objects.filter(
            year=year, category=MeasureCategory.QUALITY, measure_id__in=wanted
        ).only("measure_id", "title", "is_inverse")
    }
    rows: list[QmrRow] = []
    for e in enrollments:
        tin, npi = e.medical_group.tin, _npi(e)
        kind = CLINICIAN if e.tin_npi_id else GROUP
        for mid in _measure_ids(e, named, listed, sorted(by_entity.get((tin, npi), []))):
            current = results.get((year, tin, npi, mid), [])
            prior = {r.group_index: r for r in results.get((year - 1, tin, npi, mid), [])}
            catalog_row = catalog.get(mid)
            title = catalog_row.title if catalog_row else mid
            for result in current or [None]:
                index = result.group_index if result else 0
                labels = GROUP_LABELS.get(result.cms_id, ()) if result else ()
                rows.append(
                    QmrRow(
                        enrollment=e,
                        kind=kind,
                        measure_id=mid,
                        title=_title(result, title),
                        group_index=index,
                        group_label=labels[index] if index < len(labels) else "",
                        inverse=is_inverse(
                            year,
                            mid,
                            bool(
                                result.inverse if result else catalog_row and catalog_row.is_inverse
                            ),
                        ),
                        result=result,
                        prior=prior.get(index),
                        decile=_decile(year, mid, result, len(current)),
                    )
                )
    return rows


def _npi(enrollment: Enrollment) -> str:
    return enrollment.tin_npi.provider.npi if enrollment.tin_npi_id else ""


def _title(result: Counts | None, catalog_title: str) -> str:
    if result is None:
        return catalog_title
    return measure_title(result.cms_id, result.mips_id, catalog_title)


def measure_title(cms_id: str, mips_id: str, catalog_title: str) -> str:
    """The catalogue's title, or the eCQM's own when the catalogue has none (its title is
    then the measure id)."""
    if cms_id in MEASURE_CLASSES and catalog_title == mips_id:
        return MEASURE_CLASSES[cms_id].title
    return catalog_title


def rows_for_keys(
    practice: Practice, year: int, keys: list[tuple[int, str, int]], *, user=None,
    own_only: bool = False,
) -> list[QmrRow]:  # fmt: skip
    """The rows of `keys` ((enrollment id, measure id, population group)), in that order."""
    if not keys:
        return []
    built = qmr_rows(
        practice, year, user=user, own_only=own_only, enrollment_ids={k[0] for k in keys}
    )
    by_key = {(r.enrollment.pk, r.measure_id, r.group_index): r for r in built}
    return [by_key[k] for k in keys if k in by_key]
