"""Build demo-like TIN/NPIs whose last names select the fake QPP server's scenarios."""

from __future__ import annotations

from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory


def seven_hills_group(practice, **kwargs):
    defaults = {
        "name": "Seven Hills Medical Group North",
        "tin": "461234567",
        "address_line1": "100 Hilltop Road",
        "city": "Cincinnati",
        "state": "OH",
        "zip_code": "45202",
    }
    return MedicalGroupFactory(practice=practice, **{**defaults, **kwargs})


def clinician_in(group, last_name: str, **kwargs):
    """A TIN/NPI in `group`; with practice slug "seven-hills" the fake QPP's demo scenario
    for `last_name` applies (Okafor: eligible, Kowalski: low volume, Schmidt: unknown...)."""
    provider = ProviderFactory(practice=group.practice, last_name=last_name, **kwargs)
    return TinNpiFactory(provider=provider, medical_group=group)
