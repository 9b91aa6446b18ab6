"""An AllergyIntolerance's onsetDateTime is when it began. QDM's prevalencePeriod (and
QI-Core's reading of it) stays open until lastOccurrence or a resolved status, so the
import must not end the allergy at its onset. Source: QI-Core AllergyIntolerance
(onset[x], lastOccurrence) and QDM 5.6 Allergy/Intolerance prevalencePeriod."""

from __future__ import annotations

import datetime as dt

from mips.fhir.parse import parse_bundle

from .factories import bundle, fhir_encounter

PENICILLIN = {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7980"}


def _allergy(**extra) -> dict:
    resource = {
        "resourceType": "AllergyIntolerance",
        "id": "allergy-1",
        "patient": {"reference": "Patient/al-1"},
        "code": {"coding": [PENICILLIN]},
        "onsetDateTime": "2025-03-04T10:00:00Z",
        "clinicalStatus": {"coding": [{"code": "active"}]},
    }
    resource.update(extra)
    return resource


def _fact(resource: dict) -> dict:
    data = bundle("al-1", fhir_encounter("2025-08-31"))
    data["entry"].append({"resource": resource})
    (record,) = parse_bundle(data).patients.values()
    (fact,) = [f for f in record.facts if f["kind"] == "allergy"]
    return fact


def test_onset_moment_starts_an_open_allergy():
    fact = _fact(_allergy())
    assert fact["start_at"] == dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    assert fact["end_at"] is None


def test_last_occurrence_ends_it():
    fact = _fact(_allergy(lastOccurrence="2025-06-01T00:00:00Z"))
    assert fact["end_at"] == dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def test_onset_period_keeps_its_end():
    period = {"start": "2025-03-04T10:00:00Z", "end": "2025-04-01T00:00:00Z"}
    resource = _allergy(onsetPeriod=period)
    del resource["onsetDateTime"]
    fact = _fact(resource)
    assert fact["end_at"] == dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
