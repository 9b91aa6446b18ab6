"""The reference engine end to end on a measure the hand-written engine does not have."""

from __future__ import annotations

from django_scopes import scope

from mips.models import MeasureResult
from tests.shared_data import all_measures_decks

from .decks import clinician, import_cases, mismatches


def test_cms131_deck_end_to_end(practice):
    deck = all_measures_decks() / "CMS131" / "py2025"
    tin_npi = clinician(practice)
    with scope(practice=practice):
        import_cases(practice, tin_npi, deck)
        assert mismatches(practice, tin_npi, deck, "CMS131", 2025) == []
        result = MeasureResult.objects.get(
            practice=practice, year=2025, cms_id="CMS131", npi=tin_npi.npi
        )
    assert result.mips_id == "117"
    assert result.ipp > 0 and result.denom >= result.numer > 0
