"""Program attestations: append-only history, validation, audit, recalculation queued."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from mips import attestations as svc
from mips.attestation_reads import VALUE_FIELDS
from mips.models import DataSignOff, IaAttestation, PiAttestation
from practices.models import AuditEvent

from .score_helpers import YEAR, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Calls of recalculate_entity_scores.delay (instead of a broker)."""
    calls = []
    monkeypatch.setattr(
        "mips.tasks.recalculate_entity_scores.delay", lambda *a, **k: calls.append(a)
    )
    return calls


def test_sign_off_is_append_only_with_audit_and_recalculation(
    tin_npi, quality_manager, queued, django_capture_on_commit_callbacks
):
    result(tin_npi, "236", numer=30, denom=40)
    with django_capture_on_commit_callbacks(execute=True):
        first = svc.sign_off(tin_npi=tin_npi, year=YEAR, category="quality", user=quality_manager)
    assert first.snapshot["measures"]["236"]["numerator"] == 30  # what was signed off
    with django_capture_on_commit_callbacks(execute=True):
        second = svc.sign_off(
            tin_npi=tin_npi, year=YEAR, category="quality", user=quality_manager, signed=False
        )
    first.refresh_from_db()
    assert not first.is_current and first.signed  # the old record is kept unchanged
    assert second.is_current and not second.signed and second.recorded_by == quality_manager
    history = list(svc.history(DataSignOff, year=YEAR, tin_npi=tin_npi))
    assert history == [second, first]
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["mips.data_signed_off", "mips.data_sign_off_withdrawn"]
    assert queued == [(tin_npi.practice_id, YEAR, tin_npi.medical_group_id)] * 2


def test_nothing_is_queued_when_the_transaction_rolls_back(tin_npi, quality_manager, queued):
    # Without the on-commit callbacks running (test transaction never commits) no task goes out.
    svc.sign_off(tin_npi=tin_npi, year=YEAR, category="pi", user=quality_manager)
    assert queued == []


def test_group_and_individual_records_are_separate(tin_npi, medical_group, quality_manager):
    svc.attest_pi(
        year=YEAR, measure_id="PI_PPHI_1", value=True, user=quality_manager, tin_npi=tin_npi
    )
    svc.attest_pi(
        year=YEAR, measure_id="pi_pphi_1", value=False, user=quality_manager,
        medical_group=medical_group,
    )  # fmt: skip
    found = svc.practice_attestations(tin_npi.practice, YEAR)
    individual = found[svc.EntityKey(tin_npi.pk, medical_group.pk)]
    group = found[svc.EntityKey(None, medical_group.pk)]
    assert individual.pi_yes("PI_PPHI_1") and not group.pi_yes("PI_PPHI_1")
    missing = [mid for mid, _ in group.missing_required(YEAR)]
    assert missing == ["PI_PPHI_1", "PI_PPHI_2", "PI_INFBLO_1", "PI_ONCDIR_1"]
    assert [m for m, _ in individual.missing_required(YEAR)] == missing[1:]


def test_practice_attestations_reads_current_rows_in_three_queries(
    tin_npi, quality_manager, django_assert_num_queries
):
    for value in (True, False, True):
        svc.attest_pi(
            year=YEAR, measure_id="PI_PPHI_2", value=value, user=quality_manager, tin_npi=tin_npi
        )
    svc.attest_ia(
        year=YEAR, activity_id="IA_BE_1", user=quality_manager, tin_npi=tin_npi,
        start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 3, 31),
    )  # fmt: skip
    assert PiAttestation.objects.count() == 3
    with django_assert_num_queries(3):
        found = svc.practice_attestations(tin_npi.practice, YEAR)
    entity = next(iter(found.values()))
    assert entity.pi_yes("PI_PPHI_2") and entity.attested_activities() == ["IA_BE_1"]


def test_practice_attestations_as_values_are_one_query_with_the_same_records(
    tin_npi, medical_group, quality_manager, django_assert_num_queries
):
    """values=True reads the three tables in one UNION ALL; each record carries exactly its
    table's VALUE_FIELDS, with the values the model rows have."""
    svc.sign_off(year=YEAR, category="quality", user=quality_manager, signed=True, note="",
                 tin_npi=tin_npi)  # fmt: skip
    svc.attest_pi(year=YEAR, measure_id="PI_EP_1", numerator=3, denominator=9,
                  user=quality_manager, tin_npi=tin_npi)  # fmt: skip
    svc.attest_pi(year=YEAR, measure_id="PI_PHCDRR_4", value=True, registry="State IIS",
                  engagement="pre", user=quality_manager, tin_npi=tin_npi)  # fmt: skip
    svc.attest_pi(year=YEAR, measure_id="PI_PPHI_1", value=True, user=quality_manager,
                  medical_group=medical_group)  # fmt: skip
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", user=quality_manager, tin_npi=tin_npi,
                  start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 3, 31))  # fmt: skip
    models = svc.practice_attestations(tin_npi.practice, YEAR)
    keys = [svc.EntityKey(tin_npi.pk, medical_group.pk), svc.EntityKey(None, medical_group.pk)]
    with django_assert_num_queries(1):
        values = svc.practice_attestations(tin_npi.practice, YEAR, keys, values=True)
    assert values.keys() == models.keys()
    fields = VALUE_FIELDS
    for key, att in values.items():
        pairs = [
            (att.sign_offs, models[key].sign_offs, fields["DataSignOff"]),
            (att.pi, models[key].pi, fields["PiAttestation"]),
            (att.ia, models[key].ia, fields["IaAttestation"]),
        ]
        for got, want, names in pairs:
            assert got.keys() == want.keys()
            for k, row in got.items():
                assert set(vars(row)) == {"tin_npi_id", "medical_group_id", *names}
                assert {n: getattr(row, n) for n in vars(row)} == {
                    n: getattr(want[k], n) for n in vars(row)
                }
    individual = values[keys[0]]
    assert individual.signed_off("quality") and individual.attested_activities() == ["IA_BE_1"]
    assert individual.ia["IA_BE_1"].start_date == dt.date(YEAR, 1, 1)
    assert individual.pi[("PI_EP_1", "")].denominator == 9
    assert values[keys[1]].pi_yes("PI_PPHI_1") and not individual.pi_yes("PI_PPHI_1")
    # Only the entities asked for.
    only = svc.practice_attestations(tin_npi.practice, YEAR, keys[1:], values=True)
    assert list(only) == [keys[1]]


def test_public_health_registries_are_kept_per_registry(tin_npi, quality_manager):
    for registry in ("State IIS", "County IIS"):
        svc.attest_pi(
            year=YEAR, measure_id="PI_PHCDRR_4", value=True, registry=registry,
            engagement="pre", user=quality_manager, tin_npi=tin_npi,
        )  # fmt: skip
    entity = next(iter(svc.practice_attestations(tin_npi.practice, YEAR).values()))
    assert sorted(r.registry for r in entity.pi_rows("PI_PHCDRR_4")) == ["County IIS", "State IIS"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"measure_id": "PI_NOPE_9", "value": True}, "measure_id"),
        ({"measure_id": "PI_EP_1", "numerator": 5, "denominator": 4}, "numerator"),
        ({"measure_id": "PI_EP_1", "value": True}, "numerator"),
        ({"measure_id": "PI_PPHI_1"}, "value"),
        ({"measure_id": "PI_PPHI_1", "value": True, "numerator": 1, "denominator": 1}, "numerator"),
        ({"measure_id": "PI_PPHI_1", "value": True, "registry": "X"}, "registry"),
        ({"measure_id": "PI_PHCDRR_1", "value": True, "engagement": "beta"}, "engagement"),
        ({"measure_id": "PI_PPHI_1", "value": True, "year": 2019}, "year"),
    ],
)
def test_pi_validation(tin_npi, quality_manager, kwargs, field):
    kwargs = {"year": YEAR, **kwargs}
    with pytest.raises(ValidationError) as exc:
        svc.attest_pi(user=quality_manager, tin_npi=tin_npi, **kwargs)
    assert field in exc.value.message_dict
    assert not PiAttestation.objects.exists()


@pytest.mark.parametrize(
    ("activity", "start", "end", "field"),
    [
        ("IA_NOPE", dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 1), "activity_id"),
        ("IA_BE_1", None, None, "start_date"),
        ("IA_BE_1", dt.date(YEAR, 6, 1), dt.date(YEAR, 5, 1), "end_date"),
        ("IA_BE_1", dt.date(YEAR - 1, 12, 1), dt.date(YEAR, 5, 1), "start_date"),
        ("IA_BE_1", dt.date(YEAR, 1, 1), dt.date(YEAR, 3, 30), "end_date"),  # 89 days
    ],
)
def test_ia_validation(tin_npi, quality_manager, activity, start, end, field):
    with pytest.raises(ValidationError) as exc:
        svc.attest_ia(
            year=YEAR, activity_id=activity, start_date=start, end_date=end,
            user=quality_manager, tin_npi=tin_npi,
        )  # fmt: skip
    assert field in exc.value.message_dict
    assert not IaAttestation.objects.exists()


def test_ia_ninety_days_is_enough_and_withdrawal_needs_no_dates(tin_npi, quality_manager):
    svc.attest_ia(
        year=YEAR, activity_id="IA_BE_1", start_date=dt.date(YEAR, 1, 1),
        end_date=dt.date(YEAR, 3, 31), user=quality_manager, tin_npi=tin_npi,
    )  # fmt: skip
    withdrawn = svc.attest_ia(
        year=YEAR, activity_id="IA_BE_1", attested=False, user=quality_manager, tin_npi=tin_npi
    )
    assert IaAttestation.objects.current().get() == withdrawn
    assert IaAttestation.objects.count() == 2


def test_sign_off_needs_an_entity_and_a_known_category(tin_npi, quality_manager):
    with pytest.raises(ValidationError):
        svc.sign_off(year=YEAR, category="quality", user=quality_manager)
    with pytest.raises(ValidationError):
        svc.sign_off(year=YEAR, category="cost", user=quality_manager, tin_npi=tin_npi)
