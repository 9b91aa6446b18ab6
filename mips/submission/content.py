"""What the QPP submission and the QRDA III export of an entity's year carry.

Categories: those the entity is enrolled in for the year (read exactly as the score
recalculation reads them, `mips.entity_inputs.load_targets`) that have data, less those an
EUC exception exempts. The data comes from the same mapping the recalculation hands the
scoring engine (`mips.entity_inputs.assemble_inputs`), so the preview scores what is sent:

- Quality: the eCQM results of the enrolled measures, as QRDA III measure reports
  (`mips.qrda.qrda3_data.build_report`: population UUIDs, supplemental data);
- PI: the current PI entries (numerator/denominator, yes/no, the required attestations,
  public-health registries with their active-engagement level and exclusions), the CEHRT
  id and the PI period of the enrollment (a 180-day enrollment has its own period);
- IA: the currently attested activities; the set's period spans their dates.

EUC (`exceptions.rules`): an exception the practice recorded for a category is honoured by
not sending that category, so its data does not count as "submitted" for the rules; QPP's
automatic EUC applies as the rules say: a recorded (application) exception is decided per
category, and only CMS's automatic EUC is voided for the categories with data once two or
more categories carry data. A category the rules reweight is left out of the JSON and the
QRDA III.

Sign-offs: the ones the dashboard's submission status requires
(`mips.dashboard.submission.signoff_actions`) for the categories being sent.

An entity with no MIPS enrollment for the year has nothing to submit; its export on the
eCQM Data page still carries its eCQM results (an eCQM-only QRDA III, as before).
"""

from __future__ import annotations

from dataclasses import dataclass

from exceptions.rules import reweighting_decision
from practices.models import MedicalGroup, Practice, TinNpi

from ..attestation_reads import EntityKey
from ..dashboard.submission import PI_REQUIRED, Action, SubmissionInput, signoff_actions
from ..entity_inputs import Assembled, assemble_inputs, load_targets
from ..qrda.qrda3_data import build_report, measure_identifiers
from ..qrda.qrda3_write import Qrda3Report

CATEGORIES = ("quality", "pi", "ia")
EUC_CATEGORIES = frozenset({"quality", "pi", "ia", "cost"})


@dataclass(frozen=True)
class EntityContent:
    report: Qrda3Report
    enrolled: frozenset[str]  # MIPS categories the entity is enrolled in (empty: none)
    sent: frozenset[str]  # categories the report carries
    exempted: frozenset[str]  # categories left out: an effective EUC reweighting
    notes: tuple[str, ...]  # the EUC decision, for messages
    missing_signoffs: tuple[Action, ...]  # sign-offs submission needs that are missing
    program_name: str = "mips"  # QPP programName: "mips" or the MVP id (mips.scoring.mvp)

    @property
    def is_empty(self) -> bool:
        r = self.report
        return not (r.measures or r.ia or r.pi_proportions or r.pi_booleans)


def _entity_key(practice: Practice, tin: str, npi: str) -> EntityKey | None:
    group = MedicalGroup.objects.filter(practice=practice, tin=tin).first()
    if group is None:
        return None
    if not npi:
        return EntityKey(None, group.pk)
    tin_npi = (
        TinNpi.objects.filter(practice=practice, medical_group=group, provider__npi=npi)
        .order_by("-is_active", "pk")
        .first()
    )
    return EntityKey(tin_npi.pk, group.pk) if tin_npi else None


def _assembled(practice: Practice, year: int, key: EntityKey) -> Assembled | None:
    targets, members = load_targets(practice, year, [key.medical_group_id])
    target = targets.get(key)
    if target is None:
        return None
    return assemble_inputs(practice, year, {key: target}, members)[0]


def _quality(report: Qrda3Report, year: int, mips_ids: set[str]) -> list:
    meta = measure_identifiers().get(str(year), {})
    return [m for m in report.measures if meta.get(m.cms_id, {}).get("mips_id") in mips_ids]


def entity_content(
    practice: Practice, *, year: int, tin: str, npi: str | None, cehrt_id: str
) -> EntityContent:
    """The Qrda3Report to export/submit for a TIN/NPI (or a TIN group when `npi` is empty)
    and `year`, with what was left out and why. Measures whose QRDA identifiers are not
    known yet are included (the QPP JSON needs only their measure ids); the QRDA III
    writer refuses them."""
    npi = npi or ""
    key = _entity_key(practice, tin, npi)
    item = _assembled(practice, year, key) if key else None
    if item is None:
        # Not enrolled in MIPS: an eCQM export of the results, nothing to submit.
        report = build_report(practice, year=year, tin=tin, npi=npi or None, cehrt_id=cehrt_id)
        return EntityContent(report, frozenset(), frozenset(), frozenset(), (), ())
    entity, euc, att = item.entity, item.context["euc"], item.attestations
    with_data = set(euc["submitted"])
    recorded = set(euc["recorded"])
    decision = reweighting_decision(
        recorded,
        [c for c in euc["automatic"] if c in EUC_CATEGORIES],
        item.target.categories,
        with_data - recorded,  # a recorded exception's category is not sent ...
        item.target.entity_type,
    )
    exempted = decision.reweighted & set(CATEGORIES)
    sent = frozenset(c for c in CATEGORIES if c in with_data and c not in exempted)

    if "quality" in sent:
        report = build_report(practice, year=year, tin=tin, npi=npi or None, cehrt_id=cehrt_id)
        report.measures = _quality(report, year, {m.measure_id for m in entity.quality})
    else:
        group = MedicalGroup.objects.get(pk=key.medical_group_id)
        report = Qrda3Report(
            year=year, tin=tin, npi=npi or None, organization=group.name, measures=[],
            cehrt_id=cehrt_id,
        )  # fmt: skip
    if "pi" in sent and entity.pi is not None:
        for m in entity.pi.measurements:
            if m.denominator is not None:
                report.pi_proportions[m.measure_id] = (m.numerator or 0, m.denominator)
            else:
                report.pi_booleans[m.measure_id] = bool(m.value)
        report.pi_period = item.target.pi_period
    if "ia" in sent and att is not None:
        rows = [att.ia[a] for a in entity.ia_activities]
        report.ia = {row.activity_id: True for row in rows}
        starts = [r.start_date for r in rows if r.start_date]
        ends = [r.end_date for r in rows if r.end_date]
        report.ia_period = (min(starts), max(ends)) if starts and ends else None

    signed_quality = bool(att and att.signed_off("quality"))
    missing = signoff_actions(
        SubmissionInput(
            eligibility="",
            enrolled_categories=sent,
            cqm_signoff_required="quality" in sent,
            cqm_signed_off=signed_quality,
            pi_attested=frozenset(mid for mid, _ in PI_REQUIRED if att and att.pi_yes(mid)),
        )
    )
    return EntityContent(
        program_name=entity.mvp_id or "mips",
        report=report,
        enrolled=frozenset(item.target.categories) & frozenset(CATEGORIES),
        sent=sent,
        exempted=frozenset(exempted),
        notes=decision.notes,
        missing_signoffs=missing,
    )
