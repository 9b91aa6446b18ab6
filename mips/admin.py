"""Admin of the mips app."""

from __future__ import annotations

from . import admin_identifiers, admin_scores  # noqa: F401  (identifiers; attestations, scores)
