"""The dashboard's entities for one practice and year: each TIN/NPI (a clinician in two
TINs is two entities) and each TIN reporting as a group, with eligibility, enrollment
and score. A fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache as once
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.eligibility.queries import EligibilityDetail, eligibility_details
from enrollment.models import KIND_CATEGORY, MIPS_KINDS, Enrollment, Program, ProgramKind
from p4p_portal.raw_rows import column, columns, instance, table, width
from practices.models import MedicalGroup, Practice, Provider, TinNpi
from practices.tins import mask_tin

from .scores import ScoreDoc, preferred
from .snapshots import year_score_docs

CLINICIAN, GROUP = "clinician", "group"
# QPP statuses under which a TIN/NPI belongs on the list even before it is enrolled
# ("confirm that your eligible clinicians are correctly enrolled").
LISTED_STATUSES = ("eligible_individual", "eligible_group_only", "opt_in_eligible", "opted_in")
CATEGORY_ORDER = ("quality", "pi", "ia")
CATEGORY_SHORT = {"quality": "Quality", "pi": "PI", "ia": "IA"}


@dataclass
class Entity:
    kind: str  # CLINICIAN or GROUP
    pk: int  # TinNpi pk or MedicalGroup pk
    public_id: object
    name: str
    npi: str
    tin: str
    group: MedicalGroup
    tin_npi: TinNpi | None = None
    eligibility: EligibilityDetail | None = None
    enrollments: list[Enrollment] | list[EnrollmentRef] = field(default_factory=list)
    scores: dict[str, ScoreDoc] = field(default_factory=dict)
    # Last year's final score (submitted, else CMS preview, else ours) beside this year's.
    prior_score: ScoreDoc | None = None
    is_own: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def score(self) -> ScoreDoc | None:
        return preferred(self.scores)

    @property
    def cps(self) -> Decimal | None:
        return self.score.final if self.score else None

    @property
    def categories(self) -> list[str]:
        """Enrolled MIPS categories (an MVP counts as Quality)."""
        found = {str(KIND_CATEGORY[e.program.kind]) for e in self.enrollments}
        return [c for c in CATEGORY_ORDER if c in found]

    @property
    def enrollment_label(self) -> str:
        if not self.enrollments:
            return "Not enrolled"
        names = [CATEGORY_SHORT[c] for c in self.categories]
        mvps = [e.program.name for e in self.enrollments if e.program.kind == ProgramKind.MVP]
        return "Enrolled: " + ", ".join(names + mvps if mvps else names)

    @property
    def masked_tin(self) -> str:
        return mask_tin(self.tin)


@once
def _years_sql() -> str:
    kinds = ", ".join(f"'{kind}'" for kind in sorted(MIPS_KINDS))
    return (
        f"SELECT DISTINCT {column(Program, 'year')} FROM {table(Program)} "
        f"WHERE {column(Program, 'kind')} IN ({kinds}) ORDER BY 1 DESC"
    )


def dashboard_years() -> list[int]:
    """Performance years with MIPS programs, newest first (every dashboard page asks:
    the statement is written once per process)."""
    # DISTINCT in SQL: a handful of years, not every program row.
    with connection.cursor() as cursor:
        cursor.execute(_years_sql())
        return [year for (year,) in cursor.fetchall()]


@once
def _years_and_visibility_sql() -> str:
    """_years_sql's years as an array and has_dashboard's EXISTS of one practice, as the
    ORM writes that queryset: one statement."""
    kinds = ", ".join(f"'{kind}'" for kind in sorted(MIPS_KINDS))
    enrollment, program = table(Enrollment), table(Program)

    def e(name: str) -> str:
        return f"{enrollment}.{column(Enrollment, name)}"

    return (
        f"SELECT ARRAY({_years_sql()}), EXISTS(SELECT 1 FROM {enrollment} INNER JOIN {program} "
        f"ON ({e('program')} = {program}.{column(Program, 'id')}) "
        f"WHERE {e('practice')} = %s AND {e('status')} = 'active' AND {e('tin_npi')} IS NOT NULL "
        f"AND {program}.{column(Program, 'kind')} IN ({kinds}))"
    )


def dashboard_years_for_request(request) -> list[int]:
    """dashboard_years(), and has_dashboard of the request's practice read by the same
    statement and kept for the request, where has_dashboard_for_request finds it (the page
    and the menu): a dashboard page asks the database once for both instead of also asking
    the shared cache for the visibility (a Redis round trip, ~0.3 ms), and the answer is
    the current one."""
    practice = getattr(request, "practice", None)
    if practice is None or connection.vendor != "postgresql":
        return dashboard_years()
    with connection.cursor() as cursor:
        cursor.execute(_years_and_visibility_sql(), [practice.pk])
        years, visible = cursor.fetchone()
    request._has_mips_dashboard = (practice.pk, visible)
    return years


def has_dashboard(practice: Practice) -> bool:
    """The dashboard is shown to practices with at least one clinician enrolled in a MIPS
    program for attestation (never Not for Attestation or custom programs)."""
    return (
        Enrollment.objects.for_practice(practice)
        .active()
        .individual()
        .filter(program__kind__in=MIPS_KINDS)
        .exists()
    )


class EnrollmentRef(NamedTuple):
    """What the dashboard build reads of an enrollment."""

    pk: int
    tin_npi_id: int | None
    medical_group_id: int
    program: Program


def _enrollments(
    practice: Practice, year: int, only=None, groups=None
) -> list[Enrollment] | list[EnrollmentRef]:
    if only is not None and groups is None:  # one entity (a report card): as models
        return _entity_enrollments(practice.pk, year, *only)
    rows = Enrollment.objects.for_practice(practice).active().for_year(year).on_mips_dashboard()
    if groups is not None:
        rows = rows.filter(medical_group_id__in=groups)
    if only is not None:
        kind, pk = only
        rows = (
            rows.filter(tin_npi_id=pk)
            if kind == CLINICIAN
            else rows.filter(tin_npi__isnull=True, medical_group_id=pk)
        )
        return list(rows.select_related("program").order_by("program__kind", "pk"))
    # The build: what it reads of each, with the few programs read once (model instances
    # took 1.2-2 s for the 60,000 enrollments of a practice of 20,000 TIN/NPIs).
    found = list(
        rows.order_by("program__kind", "pk").values_list(
            "pk", "tin_npi_id", "medical_group_id", "program_id"
        )
    )
    programs = Program.objects.in_bulk({row[3] for row in found})
    return [EnrollmentRef(pk, tn, group, programs[program]) for pk, tn, group, program in found]


@once
def _entity_enrollments_sql(kind: str) -> str:
    """The active MIPS enrollments of one entity with their programs: the ORM's
    for_practice().active().for_year().on_mips_dashboard() with select_related("program"),
    written once per process (report cards and attestation pages read it every view)."""
    kinds = ", ".join(f"'{k}'" for k in sorted(MIPS_KINDS))
    entity = (
        'e."tin_npi_id" = %s'
        if kind == CLINICIAN
        else ('e."tin_npi_id" IS NULL AND e."medical_group_id" = %s')
    )
    return (
        f"SELECT {columns(Enrollment, 'e')}, {columns(Program, 'p')} "
        f'FROM {table(Enrollment)} e JOIN {table(Program)} p ON p."id" = e."program_id" '
        f'WHERE e."practice_id" = %s AND e."status" = \'active\' AND e."year" = %s '
        f'AND p."kind" IN ({kinds}) AND {entity} ORDER BY p."kind" ASC, e."id" ASC'
    )


def _entity_enrollments(practice_id: int, year: int, kind: str, pk: int) -> list[Enrollment]:
    with connection.cursor() as cursor:
        cursor.execute(_entity_enrollments_sql(kind), [practice_id, year, pk])
        found = cursor.fetchall()
    split = width(Enrollment)
    result = []
    for row in found:
        enrollment = instance(Enrollment, row[:split])
        enrollment._state.fields_cache["program"] = instance(Program, row[split:])
        result.append(enrollment)
    return result


# What the build does not read of a TIN/NPI and its provider (read when first used):
# psycopg's timestamp loader under Django's time zone is Python, 40,000 values a build.
BUILD_DEFERRED = ("created_at", "updated_at")


@once
def _build_tin_npis_sql(with_groups: bool) -> str:
    """The build's TIN/NPIs as _tin_npis's queryset reads them (active, enrolled or listed
    by QPP, select_related provider, TinNpi's ordering), written once per process, the
    enrolled ids and the TINs as arrays (20,000 placeholders cost the driver 0.3 s)."""
    statuses = ", ".join(f"'{status}'" for status in LISTED_STATUSES)
    snap = table(EligibilitySnapshot)
    groups = ' AND t."medical_group_id" = ANY(%(groups)s::bigint[])' if with_groups else ""
    return (
        f"SELECT {columns(TinNpi, 't', BUILD_DEFERRED)}, {columns(Provider, 'p', BUILD_DEFERRED)} "
        f'FROM {table(TinNpi)} t JOIN {table(Provider)} p ON p."id" = t."provider_id" '
        f'JOIN {table(MedicalGroup)} g ON g."id" = t."medical_group_id" '
        f'WHERE t."practice_id" = %(practice)s AND t."is_active" '
        f'AND (t."id" = ANY(%(enrolled)s::bigint[]) OR EXISTS (SELECT 1 FROM {snap} s '
        f'WHERE s."tin_npi_id" = t."id" AND s."year" = %(year)s AND s."is_current" '
        f'AND (s."status" IN ({statuses}) OR s."mismatch_kind" <> \'\'))){groups} '
        f'ORDER BY g."name" ASC, p."last_name" ASC, p."first_name" ASC'
    )


def _build_tin_npis(practice, year, enrolled, groups) -> list[TinNpi]:
    params = {"practice": practice.pk, "year": year, "enrolled": enrolled, "groups": groups}
    with connection.cursor() as cursor:
        cursor.execute(_build_tin_npis_sql(groups is not None), params)
        found = cursor.fetchall()
    split = width(TinNpi, BUILD_DEFERRED)
    result = []
    for row in found:
        tin_npi = instance(TinNpi, row[:split], BUILD_DEFERRED)
        tin_npi._state.fields_cache["provider"] = instance(Provider, row[split:], BUILD_DEFERRED)
        result.append(tin_npi)
    return result


def _tin_npis(practice, year, enrolled, user, own_only, only, groups) -> list[TinNpi]:
    if only is None and not own_only and connection.vendor == "postgresql":
        return _build_tin_npis(practice, year, enrolled, groups)
    # Eligible clinicians, and any whose QPP match has a problem (the alert must be seen).
    listed = EligibilitySnapshot.objects.filter(
        Q(status__in=LISTED_STATUSES) | ~Q(mismatch_kind=""),
        tin_npi=OuterRef("pk"),
        year=year,
        is_current=True,
    )
    tin_npis = TinNpi.objects.for_practice(practice).select_related("provider")
    if only is not None:
        # (The build shares the practice's groups instead: load_entities.)
        tin_npis = tin_npis.select_related("medical_group")
        tin_npis = tin_npis.filter(pk=only[1]) if only[0] == CLINICIAN else tin_npis.none()
    else:
        tin_npis = tin_npis.filter(is_active=True).filter(Q(pk__in=enrolled) | Exists(listed))
    if own_only:
        tin_npis = tin_npis.filter(provider__user=user) if user else tin_npis.none()
    if groups is not None:
        tin_npis = tin_npis.filter(medical_group_id__in=groups)
    return list(tin_npis)


def load_entities(
    practice: Practice,
    year: int,
    *,
    user=None,
    own_only: bool = False,
    with_scores: bool = True,
    with_points: bool = False,
    only: tuple[str, int] | None = None,
    groups: list[int] | None = None,
    known_scores: dict[tuple[str, int], ScoreDoc] | None = None,
    written_at=None,
    known_details: dict[int, EligibilityDetail] | None = None,
    with_history: bool = False,
    only_object: TinNpi | MedicalGroup | None = None,
) -> list[Entity]:
    """Every dashboard entity of the year (queries: enrollments, TIN/NPIs, eligibility,
    groups, the scores of this year and last year). `own_only`: the clinician's own
    TIN/NPIs, no groups. `groups`: the entities of these medical groups (TINs) only.
    `known_scores` / `written_at`: portal-preview scores just written (snapshots.score_docs).
    `known_details`: eligibility the caller (the recalculation) has just read, by TIN/NPI
    pk; only the TIN/NPIs it lacks are read. `with_history`: the scores carry their history
    count (ScoreDoc.history). `only_object`: the `only` entity's TinNpi (its provider and
    group read with it) or MedicalGroup, already read by the caller (not read again)."""
    enrollments = _enrollments(practice, year, only, groups)
    by_tin_npi: dict[int, list[Enrollment]] = defaultdict(list)
    by_group: dict[int, list[Enrollment]] = defaultdict(list)
    for e in enrollments:
        (by_tin_npi[e.tin_npi_id] if e.tin_npi_id else by_group[e.medical_group_id]).append(e)

    groups_by_pk: dict[int, MedicalGroup] = {}
    if only is not None and only_object is not None:
        tin_npis = [only_object] if only[0] == CLINICIAN else []
        if own_only:
            tin_npis = [tn for tn in tin_npis if user and tn.provider.user_id == user.pk]
    else:
        tin_npis = _tin_npis(practice, year, list(by_tin_npi), user, own_only, only, groups)
    if only is None:
        # The build: the practice's few groups read once and shared (not one per TIN/NPI).
        groups_by_pk = MedicalGroup.objects.for_practice(practice).in_bulk()
        for tn in tin_npis:
            tn.medical_group = groups_by_pk[tn.medical_group_id]
    known = known_details or {}
    details = eligibility_details([tn.pk for tn in tin_npis if tn.pk not in known], year)
    details.update({tn.pk: known[tn.pk] for tn in tin_npis if tn.pk in known})
    entities = [
        Entity(
            kind=CLINICIAN,
            pk=tn.pk,
            public_id=tn.public_id,
            name=tn.provider.display_name,
            npi=tn.provider.npi,
            tin=tn.medical_group.tin,
            group=tn.medical_group,
            tin_npi=tn,
            eligibility=details.get(tn.pk),
            enrollments=by_tin_npi.get(tn.pk, []),
            is_own=user is not None and tn.provider.user_id == user.pk,
        )
        for tn in tin_npis
    ]
    group_ids = list(by_group)
    if only is not None:
        group_ids = [only[1]] if only[0] == GROUP else []
    if not own_only and group_ids:
        if only is not None and only_object is not None:
            found = [only_object]
        elif groups_by_pk:
            found = [groups_by_pk[pk] for pk in group_ids if pk in groups_by_pk]
        else:
            found = MedicalGroup.objects.for_practice(practice).filter(pk__in=group_ids)
        for group in found:
            entities.append(
                Entity(
                    kind=GROUP,
                    pk=group.pk,
                    public_id=group.public_id,
                    name=f"{group.name} (group)",
                    npi="",
                    tin=group.tin,
                    group=group,
                    enrollments=by_group.get(group.pk, []),
                )
            )
    if with_scores and entities:
        keys, subset = [e.key for e in entities], only is not None or groups is not None
        by_year = year_score_docs(
            practice, year, keys, prior=True, with_points=with_points,
            with_history=with_history, subset=subset, known=known_scores, written_at=written_at,
        )  # fmt: skip
        docs, prior = by_year[year], by_year[year - 1]
        for e in entities:
            e.scores = docs.get(e.key, {})
            e.prior_score = preferred(prior.get(e.key, {}))
    return entities


def performance_order(entities: list[Entity]) -> list[Entity]:
    """The signed-in clinician's own rows first, then lowest CPS first (rows without a
    score after the scored ones), then by name."""
    return sorted(
        entities,
        key=lambda e: (
            not e.is_own,
            e.cps is None,
            e.cps if e.cps is not None else Decimal(0),
            e.name.lower(),
            e.tin,
        ),
    )


VISIBILITY_SECONDS = 300


def _visibility_key(practice_id: int) -> str:
    return f"mips-dashboard-visible:{practice_id}"


def forget_dashboard_visibility(practice_id: int) -> None:
    cache.delete(_visibility_key(practice_id))


def has_dashboard_for_request(request) -> bool:
    """has_dashboard for the request's practice, for the menu on every page and the
    dashboard pages: cached (an enrollment change clears it in the shared cache; without
    one, other processes see it within VISIBILITY_SECONDS), so pages do not pay a query
    for it, and asked once per request (three menu entries and the page ask)."""
    practice = getattr(request, "practice", None)
    if practice is None:
        return False
    known = getattr(request, "_has_mips_dashboard", None)
    if known is not None and known[0] == practice.pk:
        return known[1]
    key = _visibility_key(practice.pk)
    visible = cache.get(key)
    if visible is None:
        visible = has_dashboard(practice)
        cache.set(key, visible, VISIBILITY_SECONDS)
    request._has_mips_dashboard = (practice.pk, visible)
    return visible
