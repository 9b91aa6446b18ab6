"""The eligibility report: one row per active TIN/NPI of a practice (command and tests)."""

from __future__ import annotations

from django_scopes import scope

from practices.models import Practice, TinNpi

from .queries import eligibility_details


def report_rows(practice: Practice, year: int) -> list[dict]:
    """[{"tin", "npi", "status", "reasons", "mismatch", "small_practice", "rural", "hpsa",
    "fetched_at"}] ordered by group and clinician. Two queries."""
    with scope(practice=practice):
        tin_npis = list(
            TinNpi.objects.for_practice(practice)
            .active()
            .select_related("medical_group", "provider")
            .order_by("medical_group__name", "provider__last_name", "provider__first_name")
        )
        details = eligibility_details([tn.pk for tn in tin_npis], year)
    rows = []
    for tn in tin_npis:
        d = details[tn.pk]
        reasons = d.reasons
        if not tn.provider.npi:
            reasons = ["No NPI on file for this provider"]
        rows.append(
            {
                "tin": tn.medical_group.tin,
                "npi": tn.provider.npi,
                "provider": tn.provider.display_name,
                "group": tn.medical_group.name,
                "status": d.status.value if hasattr(d.status, "value") else d.status,
                "status_label": d.status_label,
                "reasons": reasons,
                "mismatch": {"kind": d.mismatch.kind, "detail": d.mismatch.detail}
                if d.mismatch
                else None,
                "small_practice": d.small_practice,
                "rural": d.rural,
                "hpsa": d.hpsa,
                "fetched_at": d.fetched_at.isoformat() if d.fetched_at else None,
            }
        )
    return rows
