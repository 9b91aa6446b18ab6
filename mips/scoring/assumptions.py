"""Every scoring rule that SCORING.md tags [U] (unconfirmed), in one place.

Each constant below is implemented exactly as SCORING.md states it. When CMS's scoring guide
for a year says otherwise, change the value here (or override it in that year's ``YearRules``
in ``rules.py``); nothing else in the engine hard-codes these choices.
"""

from __future__ import annotations

from decimal import Decimal

# --- Quality ---------------------------------------------------------------------------------

# SCORING.md 1.3/1.2 [U]: a rate outside decile 1's outer bound (below p1 on a direct measure,
# above p99 on an inverse one), including a 0% rate, scores the bottom of decile 1.
OUT_OF_RANGE_RATE_POINTS = Decimal("1")

# SCORING.md 1.5 [U]: when no outcome/high-priority measure is submitted, the outcome slot is a
# required measure worth 0, so only the best 5 other measures fill the remaining slots.
MISSING_OUTCOME_SLOT_SCORES_ZERO = True

# SCORING.md 1.5 [I/U]: a scorable administrative-claims measure adds its points to the numerator
# and 10 to the denominator; an unscorable one is dropped from both.
ADMIN_CLAIMS_EXTEND_DENOMINATOR = True

# SCORING.md 1.5 [U]: the small-practice bonus is left out of the achievement percent that
# improvement scoring compares year over year.
IMPROVEMENT_EXCLUDES_SMALL_PRACTICE_BONUS = True

# SCORING.md 1.1 [U]: whether intermediate / patient-reported outcomes count as "outcome" was not
# confirmed; they are all high priority, so the requirement is checked as "outcome or HP".
OUTCOME_MEASURE_TYPES = frozenset({"outcome", "intermediateOutcome", "patientReportedOutcome"})

# S2 (qpp-submissions-docs references/data.ts, performanceRate) [D]: "for the simpleAverage and
# overallStratumOnly algorithms, each stratum's performance rate is calculated as
# performanceMet / (performanceMet + performanceNotMet - exclusions)". Implemented as documented;
# unconfirmed whether the scoring engine still does this for eCQMs, whose performanceNotMet
# already leaves exclusions out. Confirm with a CMS score preview of such a measure.
STRATUM_RATE_SUBTRACTS_EXCLUSIONS = True

# Issue 14 (CMS score preview): a multi-rate measure's case count is the eligible population
# minus exclusions of the strata that count (the "overall" stratum left out; split: the
# reporting stratum; simpleAverage: the largest stratum, SCORING.md 1.6). No CMS text in
# /work/shared states the subtraction. Confirm with a CMS preview's caseCount of a multi-rate
# measure that has exclusions.
MULTI_RATE_CASE_COUNT_SUBTRACTS_EXCLUSIONS = True

# S2 [D] "Performance rates are stored and represented as percentages with values from 0.00 to
# 100.00" and A4's example (120/156 -> 76.92): rates are rounded half-up to 2 places before the
# benchmark comparison. Unconfirmed: that the score uses the stored (rounded) rate and that CMS
# rounds half-up rather than half-even. Confirm with a preview whose rate ends in 5 at place 3.
RATE_PLACES = Decimal("0.01")

# --- Promoting Interoperability --------------------------------------------------------------

# SCORING.md 2.1 [U]: a proportion measure needs a numerator of at least 1 to count as reported.
PI_MIN_NUMERATOR = 1

# SCORING.md 2.1 [U for traditional MIPS]: continuous PI performance period, in days.
PI_MIN_PERFORMANCE_PERIOD_DAYS = 180

# SCORING.md 2.2 [U]: Provide Patients Electronic Access is worth 25 points; the public-health
# objective's 25 points are earned as one block.
PI_PEA_POINTS = 25
PI_PUBLIC_HEALTH_POINTS = 25

# SCORING.md 2.3 [U]: where an excluded measure's points go. Keys are the excluded measure;
# values are (receiving measure, points) pairs. "HIE" means the HIE option actually reported
# (split equally between PI_HIE_1 and PI_HIE_4 under option 1).
PI_EXCLUSION_REDISTRIBUTION: dict[str, tuple[tuple[str, int], ...]] = {
    "PI_EP_1": (("HIE", 10),),
    "PI_EP_2": (("PI_EP_1", 10),),
    "PI_HIE_1": (("PI_PEA_1", 15),),
    "PI_HIE_4": (("PI_PEA_1", 15),),
    "PUBLIC_HEALTH": (("PI_PEA_1", 25),),
}
# When both e-Prescribing measures are excluded, all 20 points go to HIE (SCORING.md 2.3 [U]).
PI_BOTH_EPRESCRIBING_EXCLUDED_TO = "HIE"

# SCORING.md 2.4 [U except small practice, which is C]: statuses that reweight PI to 0 unless
# PI data is submitted anyway.
PI_AUTO_REWEIGHT_STATUSES = frozenset(
    {"small_practice", "hospital_based", "non_patient_facing", "asc_based"}
)

# --- Improvement Activities ------------------------------------------------------------------

# SCORING.md 3 [U for 2025 specifics]: attesting one of these gives full IA credit. IA_PCMH is the
# inventory's patient-centered medical home attestation; "pcmh" / "apm_full_ia" are statuses.
IA_FULL_CREDIT_ACTIVITIES = frozenset({"IA_PCMH"})
IA_FULL_CREDIT_STATUSES = frozenset({"pcmh", "apm_full_ia"})

# --- Reweighting -----------------------------------------------------------------------------

# SCORING.md 5 [U]: data submitted in a category with an approved application EUC overrides that
# category's reweighting (per category; issue 14: CMS decides applications per category).
# Automatic EUC (CMS-applied) follows its own two-category rule in exceptions/rules.py.
# Confirm with the QPP "Extreme and Uncontrollable Circumstances" exception page for the year.
SUBMITTED_DATA_OVERRIDES_EUC = True

# Automatic EUC: data in this many of Quality / PI / IA voids the automatic EUC for the
# categories with data; the categories without data stay reweighted [U: the portal's reading of
# CMS's automatic EUC policy; confirm on the QPP automatic EUC policy page for the year].
AUTOMATIC_EUC_VOIDED_BY_CATEGORIES = 2

# SCORING.md 5 [U]: the redistribution rows beyond "no reweighting" and the two confirmed
# small-practice rows. Key: (small practice?, reweighted categories) -> weights.
UNCONFIRMED_REDISTRIBUTION_ROWS: dict[tuple[bool, frozenset[str]], dict[str, int]] = {
    (False, frozenset({"cost"})): {"quality": 55, "cost": 0, "ia": 15, "pi": 30},
    (False, frozenset({"pi"})): {"quality": 55, "cost": 30, "ia": 15, "pi": 0},
    (False, frozenset({"quality"})): {"quality": 0, "cost": 30, "ia": 15, "pi": 55},
    (False, frozenset({"ia"})): {"quality": 45, "cost": 30, "ia": 0, "pi": 25},
    (False, frozenset({"cost", "pi"})): {"quality": 85, "cost": 0, "ia": 15, "pi": 0},
    (False, frozenset({"cost", "quality"})): {"quality": 0, "cost": 0, "ia": 15, "pi": 85},
    (False, frozenset({"cost", "ia"})): {"quality": 70, "cost": 0, "ia": 0, "pi": 30},
    (False, frozenset({"pi", "quality"})): {"quality": 0, "cost": 85, "ia": 15, "pi": 0},
    (False, frozenset({"pi", "ia"})): {"quality": 70, "cost": 30, "ia": 0, "pi": 0},
    (False, frozenset({"quality", "ia"})): {"quality": 0, "cost": 30, "ia": 0, "pi": 70},
    (True, frozenset({"pi", "quality"})): {"quality": 0, "cost": 50, "ia": 50, "pi": 0},
    (True, frozenset({"pi", "ia"})): {"quality": 70, "cost": 30, "ia": 0, "pi": 0},
}

# --- MIPS Value Pathways --------------------------------------------------------------------

# MVP Quality: the best 4 of the MVP's quality measures, 10 points each (denominator 40),
# one of them an outcome (or high priority when none applies). Issue 14 states it from CMS's MVP
# rules; no CMS text in /work/shared states it. Confirm with the 2025/2026 MVP Implementation
# Guide ("MVP Participants must select 4 quality measures").
MVP_QUALITY_MEASURES = 4

# MVP IA: SCORING.md 3 [C: S11] "MVP participants attest to 1" activity for full credit (2025).
# Unconfirmed for 2026. Confirm with the 2026 MVP Implementation Guide.
MVP_IA_ACTIVITIES_FOR_FULL_CREDIT = 1

# --- MVP subgroups (mips.subgroups, enrollment.services.subgroups) ------------------------
# Confirmed [C]: QPP_API.md 2.3 (qpp-submissions-docs data.ts): `entityType` may be "subgroup"
# and `entityId` is required for a subgroup; QRDA NOTES.md 2.1 (conversion tool Program.java):
# MIPS_SUBGROUP carries the subgroup id (root 2.16.840.1.113883.3.249.5.5) and the MVP id, so a
# subgroup always reports an MVP (programName = the MVP id).
# Confirmed [C: 42 CFR 414.1318, as eCFR publishes it; read through a third-party copy,
# law.lawstack.com/cfr/42/414.1318, not in /work/shared; check against ecfr.gov]:
# (a)(1) a subgroup's low-volume threshold and special statuses are determined at the group
# level (SUBGROUP_STATUSES_FROM_GROUP; a clinician's own status does not reweight her
# subgroup); (a)(3) a TIN/NPI registers for at most one subgroup of a TIN; (b) each MIPS
# eligible clinician in the subgroup receives a final score based on the subgroup's combined
# performance (except APM Entity scores, 414.1317(b)); (b)(1) CMS assigns no final score to a
# subgroup that registers and does not submit data; (c)(1) the subgroup aggregates its
# Quality and IA data across the subgroup. mips.subgroups.counting_score applies (b) and
# (b)(1). Everything below has no CMS text; confirm each with the QPP "Subgroup
# Participation" page and the MVP Implementation Guide of the year (CY 2023 PFS final rule,
# subgroup reporting).

# A subgroup's eCQM data is counted like a group's over the subgroup's clinicians' patients:
# each patient attributed to any of its TIN/NPIs counts once per measure, with her own
# populations (mips.ecqm.results.pooled_counts, the rule of the TIN group rows). The issue's
# brief states this as CMS policy; no CMS text in /work/shared says it. Confirm with the QPP
# "Subgroup Participation" page or the MVP Implementation Guide (eCQM aggregation for
# subgroups) of the year.
SUBGROUP_QUALITY_POOLS_PATIENTS = True

# A subgroup submits its affiliated group's Promoting Interoperability data (the group's PI
# entries), as CMS's subgroup policy states it for PI.
SUBGROUP_PI_FROM_GROUP = True

# An improvement activity counts for a subgroup when at least this share of its clinicians
# attested it (CMS's 50% rule for groups, applied to subgroups).
SUBGROUP_IA_SHARE = Decimal("0.5")

# A subgroup has its affiliated group's special statuses (small practice, rural, ...): confirmed
# by 42 CFR 414.1318(a)(1) (above). That it also takes the group's automatic EUC and cannot
# hold its own application exception is unconfirmed (the CY 2023 PFS final rule's subgroup
# reweighting policy would confirm it).
SUBGROUP_STATUSES_FROM_GROUP = True

# When the subgroup has no final score because every category it is scored in (Quality, PI,
# IA) is reweighted, or because it submits no data (414.1318(b)(1)), its clinicians' payment
# uses the affiliated group's final score when the TIN reports as a group (the portal's group
# score), else the clinician's individual score; with neither, no score is attributable from
# the portal. The brief states the group fallback as CMS's rule for 2025/2026; no CMS
# text found confirms it or the individual step. Confirm with the CY 2023 PFS final rule
# preamble (subgroup final score and reweighting) or the QPP subgroup scoring fact sheet.
SUBGROUP_UNSCORED_FALLS_BACK_TO_GROUP = True

# The subgroup identifier is taken as letters, digits and hyphens up to 30 characters
# (enrollment.services.subgroups.SUBGROUP_ID; the portal does not know CMS's format). Confirm
# with a QPP subgroup registration confirmation.

# --- Cost -----------------------------------------------------------------------------------

# SCORING.md 4/5: when no cost score is known yet (CMS computes it from claims after the year),
# the preview scores the entity as CMS scores one with no scorable cost measure (cost weight
# redistributed by the table) and states the final score with a cost score of 0 and of 100.
# CMS's own rule for the final score is confirmed only as "no cost measure scorable ->
# redistribute" [U: SCORING.md 4]; the preview's use of it for a not-yet-known score is ours.
UNKNOWN_COST_IS_REWEIGHTED = True

# --- Final score and payment -----------------------------------------------------------------

# QPP eligibility -> payment (mips.entity_inputs.PAYMENT_ELIGIBILITY): not eligible and
# opt-in eligible clinicians who did not opt in get no MIPS payment adjustment (statute: only
# MIPS eligible clinicians are adjusted) [C for not eligible; U for "opt-in eligible, not opted
# in" = voluntary reporter]; an "eligible as group only" clinician's individual preview shows
# the estimate because the adjustment follows the group score [U]. Confirm on the QPP
# participation status page for the year. (The mapping lives with the eligibility data it
# reads; this entry names the assumption.)

# SCORING.md 6 [U]: how CMS rounds the official final score; we show 4 decimals like the engine.
FINAL_SCORE_PLACES = 4

# SCORING.md 6 [U]: the complex patient bonus formula is unknown; it is an input (CMS's preview or
# staff entry). Unknown: the preview adds 0 and says "not yet known". Confirm the formula with
# the CMS Traditional MIPS Scoring Guide for the year.
DEFAULT_COMPLEX_PATIENT_BONUS = Decimal("0")

# SCORING.md 7: positive adjustments are scaled by a budget-neutrality factor known only after
# the year. The estimate is a range over the factors of recent years in
# data/payment_scaling.json (PY2023 2.15%, PY2024 1.05% at a score of 100: third-party reports of
# CMS's feedback). Confirm with CMS's published PY2025 factor when it appears (mid 2026) and add
# it to the file.

# SCORING.md 1.2 [C with caveat "not confirmed still in force for 2025"]: floors for new measures
# in their first / second performance year when data completeness is met.
NEW_MEASURE_FLOORS: dict[int, Decimal] = {1: Decimal("7"), 2: Decimal("5")}

ALL = {name: value for name, value in dict(globals()).items() if name.isupper() and name != "ALL"}
