"""Permissions of the dashboard pages (granted in mips' data migrations)."""

from __future__ import annotations

VIEW_DASHBOARD = "mips.view_mips_dashboard"
ATTEST = "mips.attest_mips"
SUBMIT = "mips.submit_to_qpp"
VIEW_ECQM = "mips.view_ecqm_data"  # eCQM Data, patient drill-down, care gaps
