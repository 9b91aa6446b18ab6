"""Network average per quality measure: the mean performance rate of every participating
entity (TIN/NPI or group) across all practices of the portal. Shown only when at least 20
entities report the measure with at least 20 patients each in the denominator (seed:
otherwise "Insufficient Data"). One query for all measures."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Q
from django_scopes import scopes_disabled

from ..models import MeasureResult

MIN_ENTITIES = 20
MIN_DENOMINATOR = 20


def network_averages(year: int, measure_ids: list[str] | None = None) -> dict[str, Decimal | None]:
    """{mips measure id: average rate in percent, or None ("Insufficient Data")}.

    Network-wide on purpose (every practice's entities count), so it reads outside the
    request's practice scope; only aggregates leave this function."""
    rate = ExpressionWrapper(
        F("numer") * 100.0 / (F("denom") - F("denex") - F("denexcep")), output_field=FloatField()
    )
    # Multi-rate measures count their MIPS rate only (CMS138: the second group).
    scored_group = (Q(group_index=0) & ~Q(cms_id="CMS138")) | Q(cms_id="CMS138", group_index=1)
    with scopes_disabled():
        qs = MeasureResult.objects.filter(scored_group, year=year, stratum=0).filter(
            denom__gte=MIN_DENOMINATOR
        )
        # The rate needs a non-empty performance denominator (exclusions removed).
        qs = qs.annotate(left=F("denom") - F("denex") - F("denexcep")).filter(left__gt=0)
        if measure_ids is not None:
            qs = qs.filter(mips_id__in=list(measure_ids))
        rows = qs.values("mips_id").annotate(n=Count("pk"), avg=Avg(rate))
        result: dict[str, Decimal | None] = {}
        for row in rows:
            enough = row["n"] >= MIN_ENTITIES and row["avg"] is not None
            result[row["mips_id"]] = (
                Decimal(str(row["avg"])).quantize(Decimal("0.01")) if enough else None
            )
    return result
