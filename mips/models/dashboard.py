"""The MIPS Dashboard's view permission. The dashboard owns no data: the permission hangs
on a proxy of the score snapshots it shows (no table of its own)."""

from __future__ import annotations

from .scores import ScoreSnapshot


class DashboardScore(ScoreSnapshot):
    class Meta:
        proxy = True
        verbose_name = "dashboard score"
        permissions = [
            ("view_mips_dashboard", "MIPS Dashboard: Practice Performance, report cards, measures"),
        ]
