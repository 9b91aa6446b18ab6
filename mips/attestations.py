"""Program Attestations, writes (services); the reads are in attestation_reads.py (and
imported here for callers of the writes).

Entities: pass ``tin_npi=`` for an individual TIN/NPI, or ``medical_group=`` (and no
tin_npi) for a group (TIN). Every write appends a new record (the previous one for the same
key stops being current), records an audit event (``practices.services.record``) and, after
the transaction commits, queues the score recalculation of the entity's TIN
(``mips.tasks.recalculate_entity_scores``).

Writes (keyword-only, atomic, raise ``django.core.exceptions.ValidationError`` with a
field dict on bad input; ``recalculate=False`` skips queueing the rescoring, for bulk
loaders that recalculate themselves):
- ``sign_off(tin_npi|medical_group, year, category, user, signed=True, note="")``
- ``attest_pi(tin_npi|medical_group, year, measure_id, user, value=, numerator=,
  denominator=, registry="", engagement="", note="")``
- ``attest_ia(tin_npi|medical_group, year, activity_id, user, attested=True,
  start_date=, end_date=, note="")``
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from jobs.queue import BROKER_ERRORS
from practices.services import record

from .attestation_reads import (
    IA_MIN_CONTINUOUS_DAYS,
    PUBLIC_HEALTH_OBJECTIVE,
    EntityAttestations,
    EntityKey,
    history,
    key_of,
    pi_measure_kind,
    practice_attestations,
    required_pi_attestations,
)
from .models import DataSignOff, IaAttestation, MeasureResult, PiAttestation, SignOffCategory
from .scoring import load_catalog, rules_for
from .tasks import recalculate_entity_scores

__all__ = [
    "IA_MIN_CONTINUOUS_DAYS",
    "PUBLIC_HEALTH_OBJECTIVE",
    "EntityAttestations",
    "EntityKey",
    "attest_ia",
    "attest_pi",
    "history",
    "key_of",
    "pi_measure_kind",
    "practice_attestations",
    "required_pi_attestations",
    "sign_off",
]

log = logging.getLogger(__name__)


def _entity_fields(tin_npi, medical_group) -> dict:
    if tin_npi is not None:
        return {"tin_npi": tin_npi, "medical_group": tin_npi.medical_group}
    if medical_group is None:
        raise ValidationError("Choose a clinician (TIN/NPI) or a group (TIN).")
    return {"tin_npi": None, "medical_group": medical_group}


def _entity_label(fields: dict) -> str:
    if fields["tin_npi"] is not None:
        return str(fields["tin_npi"])
    return f"group {fields['medical_group']}"


def _append(model, *, fields: dict, key: dict, values: dict, user, note: str):
    """Supersede the current record of the key and insert the new one."""
    entity = (
        {"tin_npi": fields["tin_npi"]}
        if fields["tin_npi"]
        else {
            "tin_npi__isnull": True,
            "medical_group": fields["medical_group"],
        }
    )
    # Lock the current row so two concurrent changes cannot both stay current.
    current = (
        model.objects.select_for_update()
        .filter(is_current=True, year=fields["year"], **entity, **key)
        .first()
    )
    if current is not None:
        model.objects.filter(pk=current.pk).update(is_current=False)
    row = model(
        tin_npi=fields["tin_npi"],
        medical_group=fields["medical_group"],
        year=fields["year"],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        note=note.strip()[:500],
        **key,
        **values,
    )
    row.save()
    return row, current


def _after_change(
    row, *, user, action: str, summary: str, previous, detail: dict, recalculate: bool = True
) -> None:
    record(
        practice=row.medical_group.practice,
        actor=user,
        action=action,
        obj=row,
        summary=summary,
        year=row.year,
        previous=str(previous.public_id) if previous else None,
        **detail,
    )
    practice_id, year, group_id = row.practice_id, row.year, row.medical_group_id

    def enqueue() -> None:
        try:
            recalculate_entity_scores.delay(practice_id, year, group_id)
        except BROKER_ERRORS:  # broker down: the record is saved; the daily job rescores it
            log.warning("could not queue the score recalculation of group %s", group_id)

    if recalculate:
        transaction.on_commit(enqueue)


def _check_year(year: int) -> None:
    try:
        rules_for(year)
    except (KeyError, ValueError) as exc:
        raise ValidationError({"year": f"No MIPS rules for {year}."}) from exc


@transaction.atomic
def sign_off(
    *,
    year: int,
    category: str,
    user,
    tin_npi=None,
    medical_group=None,
    signed: bool = True,
    note: str = "",
    recalculate: bool = True,
) -> DataSignOff:
    """Sign off (or withdraw the sign-off of) one category's data for an entity's year.

    For Quality the record keeps the eCQM counts being signed off (what), so a later
    change of the data is visible against what was signed."""
    _check_year(year)
    if category not in SignOffCategory.values:
        raise ValidationError({"category": f"Unknown category {category!r}."})
    fields = {**_entity_fields(tin_npi, medical_group), "year": year}
    snapshot = _quality_snapshot(fields, year) if category == SignOffCategory.QUALITY else {}
    row, previous = _append(
        DataSignOff,
        fields=fields,
        key={"category": category},
        values={"signed": signed, "snapshot": snapshot},
        user=user,
        note=note,
    )
    verb = "signed off" if signed else "sign-off withdrawn"
    _after_change(
        row,
        user=user,
        action="mips.data_signed_off" if signed else "mips.data_sign_off_withdrawn",
        summary=f"{row.get_category_display()} {year} {verb} for {_entity_label(fields)}",
        previous=previous,
        recalculate=recalculate,
        detail={"category": category, "signed": signed},
    )
    return row


def _quality_snapshot(fields: dict, year: int) -> dict:
    rows = MeasureResult.objects.filter(
        practice=fields["medical_group"].practice, year=year, stratum=0
    )
    if fields["tin_npi"] is not None:
        rows = rows.filter(tin_npi=fields["tin_npi"])
    else:
        rows = rows.filter(medical_group=fields["medical_group"], npi="")
    measures: dict[str, dict] = {}
    for r in rows.order_by("mips_id", "group_index"):
        measures[f"{r.mips_id}" if r.group_index == 0 else f"{r.mips_id}#{r.group_index + 1}"] = {
            "numerator": r.numer,
            "denominator": r.denom,
            "exclusions": r.denex,
            "exceptions": r.denexcep,
            "rate": None if r.performance_rate is None else str(r.performance_rate),
        }
    return {"measures": measures}


@transaction.atomic
def attest_pi(
    *,
    year: int,
    measure_id: str,
    user,
    tin_npi=None,
    medical_group=None,
    value: bool | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    registry: str = "",
    engagement: str = "",
    note: str = "",
    recalculate: bool = True,
) -> PiAttestation:
    """Record a PI measure for an entity's year: yes/no (`value`) for attestations,
    exclusions, yes/no and public-health measures; `numerator`/`denominator` for
    proportion measures. Public-health measures may name the `registry` and the
    active-engagement level ("pre"/"prod"); each registry is its own record."""
    _check_year(year)
    measure_id = measure_id.strip().upper()
    kind = pi_measure_kind(year, measure_id)
    errors: dict[str, str] = {}
    registry = registry.strip()
    if kind == "proportion":
        if numerator is None or denominator is None:
            errors["numerator"] = "Enter the numerator and the denominator."
        elif numerator < 0 or denominator < 0:
            errors["numerator"] = "Numerator and denominator cannot be negative."
        elif numerator > denominator:
            errors["numerator"] = "The numerator cannot exceed the denominator."
        value = None
    else:
        if value is None:
            errors["value"] = "Answer yes or no."
        if numerator is not None or denominator is not None:
            errors["numerator"] = f"{measure_id} is a yes/no measure."
    if kind != "public_health" and (registry or engagement):
        errors["registry"] = "Only public health registry measures name a registry."
    if engagement and engagement not in ("pre", "prod"):
        errors["engagement"] = "Choose active engagement level 1 or 2."
    if errors:
        raise ValidationError(errors)
    fields = {**_entity_fields(tin_npi, medical_group), "year": year}
    row, previous = _append(
        PiAttestation,
        fields=fields,
        key={"measure_id": measure_id, "registry": registry},
        values={
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "engagement": engagement,
        },
        user=user,
        note=note,
    )
    _after_change(
        row,
        user=user,
        action="mips.pi_attested",
        summary=f"PI {row} for {_entity_label(fields)}",
        previous=previous,
        recalculate=recalculate,
        detail={
            "measure_id": measure_id,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "registry": registry,
        },
    )
    return row


@transaction.atomic
def attest_ia(
    *,
    year: int,
    activity_id: str,
    user,
    tin_npi=None,
    medical_group=None,
    attested: bool = True,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    note: str = "",
    recalculate: bool = True,
) -> IaAttestation:
    """Attest (or withdraw) an improvement activity for an entity's year with the dates it
    was performed: within the year and at least IA_MIN_CONTINUOUS_DAYS long."""
    _check_year(year)
    activity_id = activity_id.strip().upper()
    if activity_id not in load_catalog(year).ia:
        raise ValidationError(
            {"activity_id": f"{activity_id} is not a {year} improvement activity."}
        )
    errors: dict[str, str] = {}
    if attested:
        if start_date is None or end_date is None:
            errors["start_date"] = "Enter the dates the activity was performed."
        elif end_date < start_date:
            errors["end_date"] = "The end date is before the start date."
        elif start_date.year != year or end_date.year != year:
            errors["start_date"] = f"The activity must be performed within {year}."
        elif (end_date - start_date).days + 1 < IA_MIN_CONTINUOUS_DAYS:
            errors["end_date"] = (
                f"An activity must be performed for at least {IA_MIN_CONTINUOUS_DAYS} "
                "consecutive days."
            )
    if errors:
        raise ValidationError(errors)
    fields = {**_entity_fields(tin_npi, medical_group), "year": year}
    row, previous = _append(
        IaAttestation,
        fields=fields,
        key={"activity_id": activity_id},
        values={"attested": attested, "start_date": start_date, "end_date": end_date},
        user=user,
        note=note,
    )
    _after_change(
        row,
        user=user,
        action="mips.ia_attested" if attested else "mips.ia_withdrawn",
        summary=f"IA {activity_id} {year} {'attested' if attested else 'withdrawn'} "
        f"for {_entity_label(fields)}",
        previous=previous,
        recalculate=recalculate,
        detail={
            "activity_id": activity_id,
            "attested": attested,
            "start_date": start_date.isoformat() if start_date else None,
            "end_date": end_date.isoformat() if end_date else None,
        },
    )
    return row
