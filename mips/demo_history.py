"""Demo score history (issue 20 item 8): a portal-preview snapshot per day for the 365 days
before today, for each of Seven Hills' scored entities, so the CPS trend charts have a
shape. The real recalculation adds a row only on days a score changes; the demo writes one
every day, rising towards the entity's current score with some day-to-day noise, marked as
demo history in its messages. Written in one COPY (mips.bulk); stays within the history
the recalculation keeps (settings.MIPS_SCORE_HISTORY_DAYS). Idempotent: the practice's
superseded portal-preview rows are replaced on every run."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from practices.demo import DemoContext

from .bulk import copy_objects
from .models import ScoreSnapshot
from .models.scores import ScoreSource

DAYS = 365
NOTE = "Demo history: a synthetic daily score written by make demo."
FOUR = Decimal("0.0001")


def _curve(final: Decimal, days: int, rng: random.Random) -> list[Decimal]:
    """`days` scores ending near `final`: a start at 40-70% of it, growing as the year's data
    arrives, plus noise; clamped to 0..100."""
    start = float(final) * rng.uniform(0.4, 0.7)
    values = []
    for i in range(days):
        progress = (i + 1) / days
        noise = rng.uniform(-0.02, 0.02) * float(final)  # a few percent of the score
        value = start + (float(final) - start) * progress**0.8 + noise
        values.append(Decimal(str(min(100.0, max(0.0, value)))).quantize(FOUR))
    return values


def seed(ctx: DemoContext, years: tuple[int, ...]) -> int:
    practice = ctx.practices["seven-hills"]
    keep = settings.MIPS_SCORE_HISTORY_DAYS or DAYS + 1
    today = timezone.localdate()
    days = [today - dt.timedelta(days=d) for d in range(min(DAYS, keep - 1), 0, -1)]
    ScoreSnapshot.objects.filter(
        practice=practice, year__in=years, source=ScoreSource.PORTAL_PREVIEW, is_current=False
    ).delete()
    current = ScoreSnapshot.objects.filter(
        practice=practice, year__in=years, source=ScoreSource.PORTAL_PREVIEW, is_current=True,
        final_score__isnull=False,
    ).order_by("pk")  # fmt: skip
    rows = []
    for snap in current:
        # Each performance year's snapshots lie in that year, before the current score.
        own = [d for d in days if d.year == snap.year and d < timezone.localdate(snap.computed_at)]
        if not own:
            continue
        rng = random.Random(snap.tin_npi_id or -snap.medical_group_id)
        for day, value in zip(own, _curve(snap.final_score, len(own), rng), strict=True):
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))
            rows.append(
                ScoreSnapshot(
                    practice_id=practice.pk, medical_group_id=snap.medical_group_id,
                    tin_npi_id=snap.tin_npi_id, year=snap.year, source=ScoreSource.PORTAL_PREVIEW,
                    is_current=False, computed_at=at, final_score=value,
                    inputs={"demo_history": True}, messages=[NOTE],
                )
            )  # fmt: skip
    copy_objects(ScoreSnapshot, rows)
    spread = f"{days[0]:%m/%d/%Y} to {days[-1]:%m/%d/%Y}" if days else "no days"
    ctx.log.append(f"score history: {len(rows)} daily demo snapshots over {spread}")
    return len(rows)
