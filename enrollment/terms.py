"""The P4P Terms and Conditions agreement: its version and its points, in our words.

Bump TERMS_VERSION when the text changes in substance: every enrolled clinician is then
asked again (acceptances are recorded per version).
"""

from __future__ import annotations

TERMS_VERSION = "2025.1"

TERMS_TITLE = "Terms and Conditions for the pay-for-performance service"

TERMS_POINTS = (
    "You allow us to send clinical data from this portal to third parties on your behalf, "
    "for the pay-for-performance programs you are enrolled in. Your practice remains "
    "responsible for the data being accurate.",
    "We help you take part in these programs, but no program promises that it will pay "
    "you: payment is not guaranteed.",
    "Your practice still follows state and local law on patient consent and privacy.",
)
