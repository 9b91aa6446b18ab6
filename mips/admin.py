"""Admin of the mips app."""

from __future__ import annotations

from . import admin_scores  # noqa: F401  (attestations and score snapshots)
