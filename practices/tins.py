"""The one rule for showing a TIN.

A full TIN appears only where a person must type or check it (Medical Groups set-up,
Payer Enrollment TIN overrides, a payer portal task's "TIN(s) to add", a form field);
everywhere else it is masked to its last four digits.
"""

from __future__ import annotations


def mask_tin(tin: str) -> str:
    return f"XXXXX{tin[-4:]}" if tin else ""
