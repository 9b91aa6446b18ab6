from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

from . import factories as f


@pytest.fixture
def regional(practice, other_practice, medical_group):
    """Ohio P4P 2025: three Seven Hills TIN/NPIs and one Lakeside TIN/NPI enrolled; one
    measure (BP, fixed benchmark 80 %, minimum denominator 10); reporting in H1 and
    performance in H2; $4,000 a year paid quarterly with improve-OR-benchmark (5 points).

    2025 results: improver 65 % from a 2024 baseline of 58 % (earns by improvement);
    achiever 85 % (benchmark); stuck 60 % from 60 % (nothing); lakeside 90 % (benchmark).
    """
    p4p = f.regional_program()
    bp = f.measure(p4p)
    f.phases(p4p)
    model = f.payment_model(p4p)
    tn = {}
    for name in ("Improver", "Achiever", "Stuck"):
        provider = ProviderFactory(practice=practice, first_name="Dr", last_name=name)
        tn[name.lower()] = TinNpiFactory(provider=provider, medical_group=medical_group)
    lake_group = MedicalGroupFactory(practice=other_practice, name="Lakeside", tin="311234567")
    lake_provider = ProviderFactory(practice=other_practice, first_name="Dr", last_name="Lake")
    tn["lake"] = TinNpiFactory(provider=lake_provider, medical_group=lake_group)
    for t in tn.values():
        f.enroll(p4p, t)
    for key, (base, now) in {
        "improver": ((29, 50), (39, 60)),
        "achiever": ((40, 50), (51, 60)),
        "stuck": ((30, 50), (30, 50)),
        "lake": ((45, 50), (45, 50)),
    }.items():
        f.result(tn[key], year=2024, numer=base[0], denom=base[1])
        f.result(tn[key], year=2025, numer=now[0], denom=now[1])
    return SimpleNamespace(p4p=p4p, bp=bp, model=model, tn=tn)
