"""What-if, best six and patients to the next decile (issue 20 items 2 and 3).

- The what-if scores exactly what a QPP submission carrying the same data would score:
  ``score_submission_document`` on a submission built here, independently, from the base
  data and the changes (property test).
- Best six never loses to any other valid six: at least one outcome or high-priority
  measure when one has data (SCORING.md 1.1 [C: S3]: "Submit at least 6 quality measures,
  including at least one outcome measure. If no outcome measure applies, submit a
  high-priority measure instead"; the six highest-scoring are used, SCORING.md 1.5
  [D: S2 measuresPicked, maxMeasurementsAllowed 6]). Exhaustive over small sets.
- Patients to the next decile is the least number that reaches the next decile
  (SCORING.md 1.3 deciles; inverse measures: lower is better, so fewer numerator patients).
- Measures with several rates are changed where the engine scores them: 226 (CMS138) is
  ``split`` in qpp-measures-data, only its "performance" stratum is rated; 238 and 366 are
  ``overallStratumOnly``, the "overall" stratum is rated (SCORING.md 1.6 [D: S2
  overallAlgorithm]). The hand-built submission below names those strata itself.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mips.scoring import (
    EntityInput,
    PiMeasurement,
    PiSubmission,
    QualityMeasurement,
    Reweighting,
    Stratum,
    load_catalog,
    rules_for,
    score_entity,
    score_submission_document,
)
from mips.scoring.opportunities import best_six, next_decile
from mips.scoring.what_if import WhatIf, apply_what_if, pi_exclusion_ids, with_numerator

YEAR = 2026
CAT = load_catalog(YEAR)
RULES = rules_for(YEAR)
EHR = "electronicHealthRecord"
# Single-rate eCQMs with a benchmark: high-priority and other, direct and inverse.
POOL = sorted(
    mid
    for (mid, method) in CAT.benchmarks
    if method == EHR and mid in CAT.quality and not CAT.quality[mid].strata
)
# Multi-rate eCQMs with an eCQM benchmark and the stratum CMS rates (SCORING.md 1.6).
SCORED = {"226": "performance", "238": "overall", "366": "overall"}
assert all(CAT.quality[m].strata and (m, EHR) in CAT.benchmarks for m in SCORED)
AVERAGED = "009"  # simpleAverage of two rates: no one numerator (SCORING.md 1.6)
HP = [m for m in POOL if CAT.quality[m].is_high_priority]
OTHER = [m for m in POOL if not CAT.quality[m].is_high_priority]
ACTIVITIES = sorted(CAT.ia)[:12]
EXCLUSIONS = sorted(pi_exclusion_ids(CAT))
FULL_PI = (
    *(PiMeasurement(mid, value=True) for mid, _ in RULES.pi_required_attestations),
    PiMeasurement("PI_EP_1", numerator=90, denominator=100),
    PiMeasurement("PI_EP_2", value=True),
    PiMeasurement("PI_HIE_1", numerator=80, denominator=100),
    PiMeasurement("PI_HIE_4", numerator=70, denominator=100),
    PiMeasurement("PI_PEA_1", numerator=95, denominator=100),
    PiMeasurement("PI_PHCDRR_1", value=True),
    PiMeasurement("PI_PHCDRR_3", value=True),
)


def qm(mid: str, met: int, not_met: int, missing: int = 0, excl: int = 0) -> QualityMeasurement:
    return QualityMeasurement(mid, EHR, met, not_met, met + not_met + missing + excl, excl)


counts = st.tuples(st.integers(0, 120), st.integers(0, 120), st.integers(0, 30), st.integers(0, 5))


def stratum(name: str, met: int, not_met: int, missing: int = 0, excl: int = 0) -> Stratum:
    return Stratum(met, not_met, met + not_met + missing + excl, excl, 0, name)


def multi(mid: str, rows) -> QualityMeasurement:
    """A multi-rate measure with one row of counts per stratum, in CMS's stratum order."""
    return QualityMeasurement(
        mid,
        EHR,
        strata=tuple(stratum(n, *c) for n, c in zip(CAT.quality[mid].strata, rows, strict=True)),
    )


def met_whole(m: QualityMeasurement) -> tuple[int, int]:
    """The scored counts, found by stratum name as the test's own reading of SCORING.md 1.6."""
    row = next(s for s in m.strata if s.name == SCORED[m.measure_id]) if m.strata else m
    return row.performance_met, row.performance_met + row.performance_not_met


@st.composite
def measurement(draw, mid: str) -> QualityMeasurement:
    if mid in SCORED or mid == AVERAGED:
        return multi(mid, [draw(counts) for _ in CAT.quality[mid].strata])
    return qm(mid, *draw(counts))


@st.composite
def scenarios(draw):
    ids = draw(st.lists(st.sampled_from([*POOL, *SCORED, AVERAGED]), max_size=9, unique=True))
    available = {mid: draw(measurement(mid)) for mid in ids}
    submitted = draw(st.sets(st.sampled_from(ids))) if ids else set()
    pi = draw(st.sampled_from([None, "full", "partial"]))
    pi_sub = None
    if pi:
        kept = FULL_PI if pi == "full" else FULL_PI[: draw(st.integers(1, len(FULL_PI) - 1))]
        pi_sub = PiSubmission(kept, "0015C00P4PDEMO1", draw(st.sampled_from([None, 365])))
    base = EntityInput(
        performance_year=YEAR,
        tin="123456789",
        npi="1234567893",
        quality=tuple(available[m] for m in sorted(submitted)),
        pi=pi_sub,
        ia_activities=tuple(sorted(draw(st.sets(st.sampled_from(ACTIVITIES), max_size=3)))),
        special_statuses=frozenset(draw(st.sets(st.sampled_from(["small_practice", "rural"])))),
        reweighting=tuple(
            Reweighting(c) for c in sorted(draw(st.sets(st.sampled_from(["pi", "cost"]))))
        ),
        prior_quality_achievement=draw(st.one_of(st.none(), st.decimals(0, 100, places=1))),
        cost_score=draw(st.one_of(st.none(), st.decimals(0, 100, places=2))),
        complex_patient_bonus=draw(st.one_of(st.none(), st.decimals(0, 10, places=1))),
        eligibility=draw(st.sampled_from(["eligible", "unknown", "opted_out"])),
    )
    measures = draw(st.one_of(st.none(), st.sets(st.sampled_from(ids)) if ids else st.none()))
    chosen = sorted(measures if measures is not None else submitted)
    numerators = {}
    changeable = [mid for mid in chosen if mid != AVERAGED]
    for mid in draw(st.sets(st.sampled_from(changeable))) if changeable else ():
        numerators[mid] = draw(st.integers(0, met_whole(available[mid])[1]))
    changes = WhatIf(
        measures=frozenset(measures) if measures is not None else None,
        numerators=numerators,
        activities=draw(st.one_of(st.none(), st.frozensets(st.sampled_from(ACTIVITIES)))),
        pi_exclusions=draw(st.frozensets(st.sampled_from(EXCLUSIONS), max_size=3)),
        cost=draw(st.one_of(st.none(), st.decimals(0, 100, places=2))),
        euc=draw(st.frozensets(st.sampled_from(["quality", "pi", "ia", "cost"]))),
    )
    return base, available, changes


def submission(base: EntityInput, available: dict, changes: WhatIf) -> tuple[dict, dict]:
    """The QPP submission (QPP_API.md 2.3) and score_submission_document options that carry
    the base data with the changes, written out by hand."""
    ids = sorted(changes.measures if changes.measures is not None else
                 {m.measure_id for m in base.quality})  # fmt: skip
    quality = []

    def value(row, changed: bool) -> dict:
        met = changes.numerators[mid] if changed else row.performance_met
        whole = row.performance_met + row.performance_not_met
        return {"performanceMet": met, "performanceNotMet": whole - met,
                "eligiblePopulation": row.eligible_population,
                "eligiblePopulationExclusion": row.exclusions,
                "eligiblePopulationException": row.exceptions}  # fmt: skip

    for mid in ids:
        m = available[mid]
        changed = mid in changes.numerators
        if m.strata:
            strata = [{**value(s, changed and s.name == SCORED[mid]), "stratum": s.name}
                      for s in m.strata]  # fmt: skip
            quality.append({"measureId": mid, "value": {"strata": strata}})
        else:
            quality.append({"measureId": mid, "value": value(m, changed)})
    sets = [{"category": "quality", "submissionMethod": EHR, "measurements": quality}]
    pi_rows = list(base.pi.measurements) if base.pi else []
    pi_rows = [m for m in pi_rows if m.measure_id not in changes.pi_exclusions]
    pi_rows += [PiMeasurement(x, value=True) for x in sorted(changes.pi_exclusions)]
    if pi_rows:
        pi_set = {"category": "pi", "submissionMethod": EHR, "measurements": [
            {"measureId": m.measure_id,
             "value": {"numerator": m.numerator, "denominator": m.denominator}
             if m.denominator is not None else m.value}
            for m in pi_rows]}  # fmt: skip
        cehrt = base.pi.cehrt_id if base.pi else "0015C00P4PDEMO1"
        pi_set["cehrtId"] = cehrt
        if base.pi and base.pi.performance_period_days == 365:
            pi_set |= {"performanceStart": f"{YEAR}-01-01", "performanceEnd": f"{YEAR}-12-31"}
        sets.append(pi_set)
    activities = base.ia_activities if changes.activities is None else sorted(changes.activities)
    sets.append({"category": "ia", "measurements": [{"measureId": a, "value": True}
                                                    for a in activities]})  # fmt: skip
    already = {r.category for r in base.reweighting}
    doc = {"performanceYear": YEAR, "entityType": "individual",
           "taxpayerIdentificationNumber": base.tin, "nationalProviderIdentifier": base.npi,
           "measurementSets": sets}  # fmt: skip
    options = {
        "special_statuses": sorted(base.special_statuses),
        "reweight": list(base.reweighting)
        + [Reweighting(c) for c in sorted(changes.euc) if c not in already],
        "prior_quality": base.prior_quality_achievement,
        "cost": changes.cost if changes.cost is not None else base.cost_score,
        "complex_patient_bonus": base.complex_patient_bonus,
        "eligibility": base.eligibility,
    }
    return doc, options


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_what_if_scores_what_the_same_submission_scores(scenario):
    base, available, changes = scenario
    entity = apply_what_if(base, changes, available=available, catalog=CAT,
                           cehrt_id="0015C00P4PDEMO1")  # fmt: skip
    doc, options = submission(base, available, changes)
    assert score_entity(entity).to_dict() == score_submission_document(doc, **options)


def test_no_change_scores_the_base():
    base = EntityInput(YEAR, quality=(qm("236", 30, 20),), ia_activities=(ACTIVITIES[0],))
    assert apply_what_if(base, WhatIf(), available={}, catalog=CAT) == base


@pytest.mark.parametrize(
    "changes, message",
    [
        (WhatIf(measures=frozenset({"999"})), "no data for measure 999"),
        (WhatIf(numerators={"236": 51}), "between 0 and 50"),
        (WhatIf(activities=frozenset({"IA_NOPE"})), "not a 2026 improvement activity"),
        (WhatIf(pi_exclusions=frozenset({"PI_EP_1"})), "not a 2026 PI exclusion"),
        (WhatIf(cost=Decimal("101")), "between 0 and 100"),
        (WhatIf(euc=frozenset({"mvp"})), "cannot claim an exception for mvp"),
    ],
)
def test_changes_the_data_cannot_carry_are_errors(changes, message):
    base = EntityInput(YEAR, quality=(qm("236", 30, 20),))
    with pytest.raises(ValueError, match=message):
        apply_what_if(base, changes, available={}, catalog=CAT)


def test_a_claimed_euc_is_overridden_by_data_as_at_cms():
    """An exception claimed for a category with data does not reweight it (SCORING.md 5:
    data submitted in a category overrides an EUC reweighting [C])."""
    base = EntityInput(YEAR, quality=tuple(qm(m, 40, 10) for m in POOL[:6]))
    result = score_entity(apply_what_if(base, WhatIf(euc=frozenset({"quality"})),
                                        available={}, catalog=CAT))  # fmt: skip
    assert not result.categories["quality"].reweighted
    dropped = apply_what_if(base, WhatIf(measures=frozenset(), euc=frozenset({"quality"})),
                            available={}, catalog=CAT)  # fmt: skip
    assert score_entity(dropped).categories["quality"].reweighted


# ------------------------------------------------------------------------------ best six


def _valid_sixes(entity: EntityInput, available: dict):
    ids = sorted(available)
    size = min(RULES.required_measures, len(ids))
    any_hp = any(CAT.quality[m].is_high_priority or CAT.quality[m].measure_type == "outcome"
                 for m in ids)  # fmt: skip
    for combo in itertools.combinations(ids, size):
        hp = any(CAT.quality[m].is_high_priority or CAT.quality[m].measure_type == "outcome"
                 for m in combo)  # fmt: skip
        if hp or not any_hp:
            yield combo


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True),
    st.data(),
    st.booleans(),
    st.one_of(st.none(), st.decimals(0, 100, places=1)),
)
def test_best_six_never_loses_to_another_valid_six(ids, data, small, prior):
    available = {mid: qm(mid, *data.draw(counts)) for mid in ids}
    entity = EntityInput(
        YEAR,
        special_statuses=frozenset({"small_practice"} if small else ()),
        prior_quality_achievement=prior,
        ia_activities=(ACTIVITIES[0],),
    )
    best = best_six(entity, available, catalog=CAT, rules=RULES)
    assert len(best.picks) == min(6, len(ids))
    chosen = score_entity(
        replace(entity, quality=tuple(available[m] for m in sorted(best.measure_ids)))
    )
    assert chosen.quality.score == best.quality_score and chosen.final_score == best.final_score
    for combo in _valid_sixes(entity, available):
        other = score_entity(replace(entity, quality=tuple(available[m] for m in combo)))
        assert other.quality.score <= best.quality_score, combo


def test_best_six_keeps_a_high_priority_measure():
    """Six strong non-high-priority measures and one weak high-priority one: the weak one
    replaces the sixth strong one (SCORING.md 1.1, 1.5)."""
    strong = {m: qm(m, 49, 1) for m in OTHER[:6]}
    weak = {HP[0]: qm(HP[0], 1, 49) if not CAT.quality[HP[0]].is_inverse else qm(HP[0], 49, 1)}
    best = best_six(EntityInput(YEAR), {**strong, **weak}, catalog=CAT, rules=RULES)
    assert HP[0] in best.measure_ids and len(best.measure_ids) == 6
    assert all(p.adds >= 0 for p in best.picks)


def test_best_six_of_nothing_and_of_an_mvp():
    assert best_six(EntityInput(YEAR), {}, catalog=CAT, rules=RULES).note
    mvp = next(iter(CAT.mvps))
    assert "MVP" in best_six(EntityInput(YEAR, mvp_id=mvp), {}, catalog=CAT, rules=RULES).note


# ------------------------------------------------------------------------ next decile


def _decile(m):
    from mips.scoring.quality import score_measure

    s = score_measure(m, CAT, RULES, False)
    return s.decile.decile if s.scorable and s.decile else None


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(POOL), st.integers(0, 300), st.integers(1, 300))
def test_patients_to_next_decile_is_the_least_that_reaches_it(mid, met, whole):
    met = min(met, whole)
    m = qm(mid, met, whole - met)
    entity = EntityInput(YEAR, quality=(m,))
    found = next_decile(entity, m, catalog=CAT, rules=RULES)
    now = _decile(m)
    assert found.decile == now
    if found.patients is None:
        return
    step = -1 if found.inverse else 1
    assert _decile(with_numerator(m, met + step * found.patients)) > now
    if found.patients > 1:
        assert _decile(with_numerator(m, met + step * (found.patients - 1))) == now
    assert found.final_gain is not None and found.final_gain >= 0


def test_inverse_measure_needs_fewer_numerator_patients():
    inverse = next(m for m in POOL if CAT.quality[m].is_inverse)
    m = qm(inverse, 30, 70)
    found = next_decile(EntityInput(YEAR, quality=(m,)), m, catalog=CAT, rules=RULES)
    assert found.inverse and found.patients and found.new_rate < found.rate


def test_next_decile_explains_what_it_cannot_count():
    few = qm(POOL[0], 5, 5)  # 10 cases: below the case minimum of 20
    assert "case minimum" in next_decile(EntityInput(YEAR), few, catalog=CAT, rules=RULES).note
    direct = next(m for m in POOL if not CAT.quality[m].is_inverse)
    top = qm(direct, 100, 0)
    assert next_decile(EntityInput(YEAR), top, catalog=CAT, rules=RULES).note == (
        "Already in the top decile"
    )
    # A measure that is not submitted shows the patients, not a final-score gain.
    low = qm(direct, 10, 90)
    assert next_decile(EntityInput(YEAR), low, catalog=CAT, rules=RULES).final_gain is None


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(SCORED)), st.lists(st.tuples(st.integers(0, 300),
       st.integers(0, 300)), min_size=3, max_size=3))  # fmt: skip
def test_patients_to_next_decile_of_a_multi_rate_measure_moves_the_scored_stratum(mid, rows):
    m = multi(mid, rows[: len(CAT.quality[mid].strata)])
    found = next_decile(EntityInput(YEAR, quality=(m,)), m, catalog=CAT, rules=RULES)
    now = _decile(m)
    assert found.decile == now
    if found.patients is None:
        return
    met, _ = met_whole(m)
    step = -1 if found.inverse else 1
    moved = with_numerator(m, met + step * found.patients, CAT.quality[mid])
    assert met_whole(moved)[0] == met + step * found.patients
    others = [s for s in moved.strata if s.name != SCORED[mid]]
    assert others == [s for s in m.strata if s.name != SCORED[mid]]
    assert _decile(moved) > now
    if found.patients > 1:
        back = with_numerator(m, met + step * (found.patients - 1), CAT.quality[mid])
        assert _decile(back) == now


def test_cms138_what_if_and_next_decile_use_the_performance_stratum():
    """226/CMS138 (split): reporting 100 screened of 100, performance 20 of 60 counselled.
    Only the performance rate is scored (SCORING.md 1.6), so 30 counselled score 50%."""
    m = multi("226", [(100, 0), (20, 40), (20, 40)])
    base = EntityInput(YEAR, quality=(m,))
    then = apply_what_if(base, WhatIf(numerators={"226": 30}), available={}, catalog=CAT)
    scored = score_entity(then).quality.measures[0]
    assert scored.performance_rate == Decimal("50.00")
    assert [s.performance_met for s in then.quality[0].strata] == [100, 30, 20]
    found = next_decile(base, m, catalog=CAT, rules=RULES)
    assert found.patients is not None and found.patients <= 40 and found.final_gain > 0
    averaged = multi(AVERAGED, [(10, 10), (10, 10)])
    with pytest.raises(ValueError, match="averages several rates"):
        apply_what_if(EntityInput(YEAR, quality=(averaged,)),
                      WhatIf(numerators={AVERAGED: 5}), available={}, catalog=CAT)  # fmt: skip
    assert "several rates" in next_decile(base, averaged, catalog=CAT, rules=RULES).note
