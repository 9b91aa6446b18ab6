"""Stored payout runs as documents (compute_payouts --json) and statements."""

from __future__ import annotations

from .models import PayoutRun, ProviderPayout


def run_document(run: PayoutRun) -> dict:
    payouts = (
        ProviderPayout.objects.filter(run=run)
        .select_related("tin_npi__provider", "tin_npi__medical_group")
        .order_by("tin_npi__provider__last_name", "tin_npi__provider__first_name", "pk")
    )
    return {
        "program": run.period.program.slug,
        "period": run.period.label,
        "pool": str(run.pool),
        "phase": run.phase,
        "algorithm": run.algorithm,
        "final": run.is_final,
        "total": str(run.total),
        "payouts": [
            {
                "provider": p.tin_npi.provider.display_name,
                "npi": p.tin_npi.provider.npi,
                "tin": p.tin_npi.medical_group.tin,
                "earned": p.earned,
                "path": p.path or None,
                "amount": str(p.amount),
            }
            for p in payouts
        ],
    }
