"""Where an encounter took place, as the importers store it on the encounter fact
(`details["locations"]`): FHIR Encounter.location with its Location, QRDA I Facility
Location participants. Measures read the location type (CMS136 psychotherapy "at an
ambulatory location"); the rebuilt QI-Core bundle and the QRDA I export carry it again."""

from __future__ import annotations

import datetime as dt


def encounter_location(
    location_id: str, codes, start: dt.datetime | None, end: dt.datetime | None
) -> dict:
    """One stored location: the Location's id ("" when the source has none), its type
    codings [[system, code]] and the period the patient was there (ISO 8601)."""
    location: dict = {"id": location_id[:64], "type": [list(c) for c in codes]}
    if start:
        location["start"] = start.isoformat()
    if end:
        location["end"] = end.isoformat()
    return location
