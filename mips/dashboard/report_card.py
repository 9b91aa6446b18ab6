"""Everything the Clinician Report Card shows for one entity and year, gathered in a fixed
number of queries: eligibility, the TIN used for submission, scores by source and their
bars, the objective status rows, the submission status with its pending actions, the
eCQM import prompt, the payment adjustment estimate and the EUC reweighting notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.utils import timezone

from exceptions.queries import entity_euc_categories
from exceptions.rules import reweighting_decision
from p4p_portal.raw_rows import column, table
from practices.services import TinResolution, resolve_mips_tin

from ..attestation_reads import EntityAttestations, practice_attestations
from ..entity_inputs import pi_submission
from ..models import ClinicalFact, MeasureResult, ScoreSnapshot
from ..models.submissions import SubmissionStatus as QppSubmissionStatus
from ..scoring import load_catalog, pi_counts_for_euc, rules_for
from ..subgroups import counting_score, subgroup_final, subgroup_scores_of
from ..submission.queries import attempts
from ..submission.window import SubmissionWindow, submission_window
from .bars import CategoryBars, category_bars
from .entities import CLINICIAN, Entity
from .measure_rows import (
    MeasureRow,
    attestation_rows,
    entity_attestation_key,
    quality_rows,
    with_network_averages,
)
from .scores import CMS_SUBMITTED
from .submission import (
    PI_REQUIRED,
    SubmissionInput,
    SubmissionStatus,
    submission_allowed,
    submission_status,
)

# Score messages the report card shows next to the bars, in words (issue 14): what the
# preview assumed about cost, the payment estimate, the complex patient bonus, the MVP, which
# of the individual and group scores counts, incomplete PI.
SCORE_NOTE_PREFIXES = (
    "Cost not known yet",
    "Payment adjustment estimate",
    "No MIPS payment adjustment",
    "Complex patient bonus",
    "MVP ",
    "Group score counts",
    "Individual score counts",
    "PI data incomplete",
)

LEVEL_NOTE_PREFIXES = ("Group score counts", "Individual score counts")

# Data that starts after this day of the year is "less than a full year" of eCQM data.
FULL_YEAR_GRACE_DAYS = 31


@dataclass
class ReportCard:
    entity: Entity
    year: int
    tin: TinResolution | None
    bars: list[CategoryBars]
    rows: list[MeasureRow]
    status: SubmissionStatus
    attestations: EntityAttestations
    euc_notes: tuple[str, ...] = ()
    import_prompt: str = ""
    data_from: dt.date | None = None
    messages: list[str] = field(default_factory=list)
    score_notes: list[str] = field(default_factory=list)
    submit_allowed: bool = False  # the status lets the operator (re)submit to QPP now
    attempt: object | None = None  # the latest QppSubmission of the entity and year
    window: SubmissionWindow | None = None  # CMS's submission period of the year
    history: list = field(default_factory=list)  # the attempts, newest first (audit)
    subgroup_notes: list[str] = field(default_factory=list)  # MVP subgroup score, what counts


@cache
def _first_encounter_sql(clinician: bool) -> str:
    # ClinicalFact.objects.filter(practice_id=, kind="encounter", billing_tin=,
    # start_at__year= [, rendering_npi=]).aggregate(Min("start_at")): the year as the
    # ORM bounds it (the current time zone's), by the practice/kind/TIN/NPI index.
    npi = f" AND {column(ClinicalFact, 'rendering_npi')} = %s" if clinician else ""
    return (
        f"SELECT MIN({column(ClinicalFact, 'start_at')}) FROM {table(ClinicalFact)} "
        f"WHERE {column(ClinicalFact, 'practice')} = %s AND {column(ClinicalFact, 'kind')} = "
        f"'encounter' AND {column(ClinicalFact, 'billing_tin')} = %s{npi} "
        f"AND {column(ClinicalFact, 'start_at')} BETWEEN %s AND %s"
    )


def _first_encounter(entity: Entity, year: int) -> dt.date | None:
    """The day of the entity's first encounter of the year (one statement written once
    per process: the ORM's aggregate cost ~0.5 ms of Python a report card)."""
    clinician = entity.kind == CLINICIAN
    params = [entity.group.practice_id, entity.tin, *([entity.npi] if clinician else [])]
    params += connection.ops.year_lookup_bounds_for_datetime_field(year)
    with connection.cursor() as cursor:
        cursor.execute(_first_encounter_sql(clinician), params)
        (first,) = cursor.fetchone()
    return timezone.localtime(first).date() if first else None


def _has_results(entity: Entity, year: int, rows: list[MeasureRow]) -> bool:
    """The entity has eCQM results with patients: a quality row read from its results
    (stratum 0, first population) with a denominator says so without a query; else ask
    (a measure it is not enrolled in, another stratum or population)."""
    if any(r.denominator for r in rows if r.category == "quality"):
        return True
    return MeasureResult.objects.filter(
        practice_id=entity.group.practice_id, year=year, tin=entity.tin,
        npi=entity.npi if entity.kind == CLINICIAN else "", denom__gt=0,
    ).exists()  # fmt: skip


def _submitted_categories(
    entity: Entity, year: int, att: EntityAttestations, rows: list[MeasureRow]
) -> set[str]:
    """Categories with data the operator would submit: eCQM results, PI entries, IA."""
    found = set()
    if "quality" in entity.categories and _has_results(entity, year, rows):
        found.add("quality")
    # Incomplete PI is no PI data for the automatic EUC rule (same test as the preview).
    if att.pi and pi_counts_for_euc(pi_submission(att, None), load_catalog(year), rules_for(year)):
        found.add("pi")
    if att.attested_activities():
        found.add("ia")
    return found


def _subgroup_notes(entity: Entity, year: int, individual) -> list[str]:
    """The MVP subgroup scores of a clinician and which final score counts for her payment
    (mips.subgroups.counting_score: the subgroup's, 42 CFR 414.1318(b); the group's or her
    own when the subgroup has none). Two queries, none for a group or a clinician in no
    subgroup."""
    if entity.kind != CLINICIAN:
        return []
    rows = subgroup_scores_of(entity.group.practice_id, entity.pk, year)
    if not rows:
        return []
    group = (
        ScoreSnapshot.objects.current()
        .for_year(year)
        .portal()
        .filter(medical_group_id=entity.group.pk, tin_npi__isnull=True)
        .values_list("final_score", flat=True)
        .first()
    )
    notes = []
    for row in rows:
        sub = row.subgroup
        final, why = subgroup_final(row)
        value = f"{final:.1f}" if final is not None else f"no final score ({why})"
        notes.append(
            f"Subgroup {sub.name} ({sub.subgroup_id}), MVP {sub.program.mvp.mvp_id}: "
            f"subgroup score {value}"
        )
        counts = counting_score(individual, group, final)
        if counts is None:
            continue
        scores = (("individual", individual), ("group", group), ("subgroup", final))
        others = ", ".join(
            f"{label} {score:.1f}" for label, score in scores
            if score is not None and label != counts[0]
        )  # fmt: skip
        reason = (
            "a subgroup clinician receives the subgroup's final score, 42 CFR 414.1318(b); "
            "special statuses are the group's, 414.1318(a)(1)"
            if counts[0] == "subgroup"
            else "the subgroup has no final score; unconfirmed rule, "
            "assumptions.SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP"
        )
        notes.append(
            f"{counts[0].capitalize()} score counts: {counts[1]:.1f}"
            + (f" vs {others}" if others else "")
            + f" ({reason})"
        )
    return notes


def build_report_card(practice, year: int, entity: Entity, *, today=None) -> ReportCard:
    """`today` is the injected clock of the submission window (default: today)."""
    key = entity_attestation_key(entity)
    # Read as values: the card only shows them (and tests them like the recalculation).
    attestations = practice_attestations(practice, year, [key], values=True)
    att = attestations.get(key) or EntityAttestations()
    rows = quality_rows(practice, year, [entity])
    with_network_averages(year, rows)
    rows += attestation_rows(practice, year, [entity], attestations)

    tin = None
    if entity.tin_npi is not None:
        on = min(timezone.localdate(), dt.date(year, 12, 31))
        tin = resolve_mips_tin(entity.tin_npi, on)

    detail = entity.eligibility
    eligibility = detail.status if detail else "eligible_group_only"
    headline = entity.score
    submitted = entity.scores.get(CMS_SUBMITTED)
    submission_id = submitted.submission_id if submitted else ""
    # The latest attempt through the Submissions API decides Submitted / Submission Failed.
    history = attempts((entity.kind, entity.pk), year, practice_id=practice.pk)
    attempt = history[0] if history else None
    failed = attempt is not None and attempt.status == QppSubmissionStatus.FAILED
    in_flight = attempt is not None and attempt.status == QppSubmissionStatus.PROCESSING
    if attempt is not None and attempt.status == QppSubmissionStatus.SUBMITTED:
        submission_id = attempt.submission_id or submission_id
    submission_input = SubmissionInput(
        eligibility=eligibility,
        enrolled_categories=frozenset(entity.categories),
        cqm_signoff_required="quality" in entity.categories,
        cqm_signed_off=att.signed_off("quality"),
        pi_attested=frozenset(mid for mid, _ in PI_REQUIRED if att.pi_yes(mid)),
        composite_passed=bool(headline and headline.has_submittable_data),
        submission_id=submission_id,
        submission_failed=failed,
        failure_reason=attempt.failure_reason if failed else "",
        tin_npi_mismatch=failed and attempt.error_kind == "tin_npi_mismatch",
        in_flight=in_flight,
    )
    status = submission_status(submission_input)
    window = submission_window(year, today=today)

    recorded = (
        entity_euc_categories(entity.group.practice_id, entity.pk, year)
        if entity.kind == CLINICIAN
        else frozenset()
    )
    automatic = set(detail.euc_categories) if detail else set()
    decision = reweighting_decision(
        recorded,
        automatic & {"quality", "pi", "ia", "cost"},
        entity.categories,
        _submitted_categories(entity, year, att, rows),
        "individual" if entity.kind == CLINICIAN else "group",
    )

    prompt, data_from = "", None
    if "quality" in entity.categories:
        data_from = _first_encounter(entity, year)
        if data_from is None:
            prompt = f"There is no eCQM data for {year} yet."
        elif data_from > dt.date(year, 1, 1) + dt.timedelta(days=FULL_YEAR_GRACE_DAYS):
            prompt = (
                f"eCQM data starts on {data_from:%m/%d/%Y}: less than a full year. CMS "
                "expects a full 12-month period; import QRDA I files from your previous EHR."
            )
    subgroup_notes = _subgroup_notes(entity, year, headline.final if headline else None)
    score_notes = [
        m for m in (headline.messages if headline else ()) if m.startswith(SCORE_NOTE_PREFIXES)
    ]
    if subgroup_notes:  # the subgroup line compares all three scores; it replaces the pair's
        score_notes = [m for m in score_notes if not m.startswith(LEVEL_NOTE_PREFIXES)]
    return ReportCard(
        entity=entity,
        year=year,
        tin=tin,
        bars=category_bars(entity.scores),
        rows=rows,
        status=status,
        attestations=att,
        euc_notes=decision.notes,
        import_prompt=prompt,
        data_from=data_from,
        messages=list(headline.messages) if headline else [],
        score_notes=score_notes,
        submit_allowed=window.is_open and not in_flight and submission_allowed(submission_input),
        attempt=attempt,
        window=window,
        history=history,
        subgroup_notes=subgroup_notes,
    )
