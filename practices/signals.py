"""Signals other apps send about practice data.

``practice_data_changed(practice_id)``: rows a practice's read models are built from were
written in bulk (bulk_create, UPDATE, COPY), where no model signal fires. Receivers (the
MIPS Dashboard's rows) mark what they built as out of date.
"""

from __future__ import annotations

from django.dispatch import Signal

practice_data_changed = Signal()
