"""The demo's synthetic peer network: practices in another region whose only purpose is to
give the network average (mips.network) enough entities. Names say they are synthetic;
nobody logs in to them. Idempotent: rows are found by natural keys. Called by
mips.demo_network, which adds their enrollments, patients and eCQM results."""

from __future__ import annotations

from .models import MedicalGroup, NumberKind, Practice, Provider, ProviderNumber, TinNpi
from .validators import npi_with_check_digit

REGION = "Arizona (synthetic demo network)"
PRACTICES = 4
CLINICIANS_PER_PRACTICE = 6
# Practice numbers 3.. continue the NPIs of practices.demo (1 Seven Hills, 2 Lakeside).
FIRST_NUMBER = 3
FIRST_NAMES = ("Avery", "Blake", "Casey", "Devon", "Emery", "Finley")
LAST_NAMES = ("Synth", "Sample", "Mock", "Proxy", "Model", "Test")


def slug(n: int) -> str:
    return f"synthetic-peer-{n}"


def seed() -> list[tuple[Practice, list[TinNpi]]]:
    """The peer practices, each with one TIN and its clinicians' TIN/NPIs."""
    result = []
    for n in range(1, PRACTICES + 1):
        number = FIRST_NUMBER + n - 1
        practice, _ = Practice.objects.update_or_create(
            slug=slug(n),
            defaults={
                "name": f"Synthetic Peer Clinic {n} (demo network)",
                "region": REGION,
                "time_zone": "America/Phoenix",
            },
        )
        group, _ = MedicalGroup.objects.update_or_create(
            practice=practice,
            tin=f"86{number}00000{n}",
            defaults={
                "name": f"Synthetic Peer Clinic {n} Group",
                "address_line1": f"{n}00 Example Way",
                "city": "Tucson",
                "state": "AZ",
                "zip_code": "85701",
                "tin_kind": "EIN",
            },
        )
        tin_npis = []
        for i in range(CLINICIANS_PER_PRACTICE):
            provider, _ = Provider.objects.update_or_create(
                practice=practice,
                first_name=FIRST_NAMES[i],
                last_name=f"{LAST_NAMES[i]}-{n}",
                defaults={"credentials": "MD", "specialty": "Family Medicine",
                          "can_create_encounters": True},
            )  # fmt: skip
            if not provider.npi:
                ProviderNumber.objects.create(
                    practice=practice, provider=provider, kind=NumberKind.NPI,
                    value=npi_with_check_digit(f"1{number}{i + 1:07d}"),
                )  # fmt: skip
                provider.refresh_from_db()
            tin_npi, _ = TinNpi.objects.get_or_create(
                practice=practice, provider=provider, medical_group=group
            )
            tin_npis.append(tin_npi)
        result.append((practice, tin_npis))
    return result
