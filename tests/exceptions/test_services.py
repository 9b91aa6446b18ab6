"""Recording statuses: history, batch all-or-nothing, the deadline, the read interface."""

from __future__ import annotations

import datetime as dt

import pytest

from exceptions import queries, services
from exceptions.errors import ExceptionWindowClosed, NotRecordableYear
from exceptions.models import EucException, EucExceptionChange
from exceptions.statuses import EucStatus
from practices.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_set_status_records_history_and_audit(practice, tin_npi, quality_manager, clock):
    result = services.set_status(
        practice=practice, tin_npi=tin_npi, year=2025, status="quality_pi", actor=quality_manager
    )
    assert result.changed == 1
    services.set_status(
        practice=practice, tin_npi=tin_npi, year=2025, status="", actor=quality_manager
    )
    row = EucException.objects.get(tin_npi=tin_npi, performance_year=2025)
    assert row.status == "" and row.updated_by == quality_manager
    changes = list(EucExceptionChange.objects.order_by("created_at", "id"))
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("", "quality_pi"),
        ("quality_pi", ""),
    ]
    assert all(c.changed_by == quality_manager and c.source == "single" for c in changes)
    assert AuditEvent.objects.filter(practice=practice, action="euc.status_set").count() == 2


def test_setting_the_same_status_adds_no_history(practice, tin_npi, quality_manager, clock):
    for _ in range(2):
        result = services.set_status(
            practice=practice, tin_npi=tin_npi, year=2025, status="pi", actor=quality_manager
        )
    assert result.changed == 0 and result.unchanged == 1
    assert EucExceptionChange.objects.count() == 1


def test_batch_sets_all_and_shares_a_batch_id(practice, tin_npis, quality_manager, clock):
    services.set_status(
        practice=practice, tin_npi=tin_npis[0], year=2025, status="ia", actor=quality_manager
    )
    result = services.set_status_batch(
        practice=practice, tin_npis=tin_npis, year=2025, status="ia", actor=quality_manager
    )
    assert (result.changed, result.unchanged) == (3, 1)
    batch = EucExceptionChange.objects.filter(source="batch")
    assert batch.count() == 3 and len({c.batch_id for c in batch}) == 1
    assert queries.euc_categories([tn.pk for tn in tin_npis], 2025) == {
        tn.pk: frozenset({"ia"}) for tn in tin_npis
    }


def test_batch_refuses_another_practices_tin_npi_and_saves_nothing(
    practice, tin_npis, other_tin_npi, quality_manager, clock
):
    with pytest.raises(ValueError):
        services.set_status_batch(
            practice=practice,
            tin_npis=[*tin_npis, other_tin_npi],
            year=2025,
            status="pi",
            actor=quality_manager,
        )
    assert not EucException.objects.exists()


def test_unknown_status_is_refused(practice, tin_npi, quality_manager, clock):
    with pytest.raises(ValueError):
        services.set_status(
            practice=practice, tin_npi=tin_npi, year=2025, status="cost", actor=quality_manager
        )


def test_deadline_on_both_sides_of_midnight(practice, tin_npi, quality_manager, clock):
    clock.local(2026, 1, 31, 23, 59, 59)
    services.set_status(
        practice=practice, tin_npi=tin_npi, year=2025, status="pi", actor=quality_manager
    )
    clock.local(2026, 2, 1, 0, 0, 0)
    with pytest.raises(ExceptionWindowClosed, match="closed after January 31, 2026"):
        services.set_status(
            practice=practice, tin_npi=tin_npi, year=2025, status="ia", actor=quality_manager
        )
    with pytest.raises(ExceptionWindowClosed):
        services.set_status_batch(
            practice=practice, tin_npis=[tin_npi], year=2025, status="ia", actor=quality_manager
        )
    assert EucException.objects.get().status == "pi"
    # The new performance year is open.
    services.set_status(
        practice=practice, tin_npi=tin_npi, year=2026, status="ia", actor=quality_manager
    )


def test_explicit_now_wins_over_the_clock(practice, tin_npi, quality_manager, clock):
    late = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(ExceptionWindowClosed):
        services.set_status(
            practice=practice,
            tin_npi=tin_npi,
            year=2025,
            status="pi",
            actor=quality_manager,
            now=late,
        )


def test_future_and_pre_mips_years_are_refused(practice, tin_npi, quality_manager, clock):
    for year in (2016, 2027):
        with pytest.raises(NotRecordableYear):
            services.set_status(
                practice=practice, tin_npi=tin_npi, year=year, status="pi", actor=quality_manager
            )


def test_queries_return_only_recorded_statuses_of_the_year(
    practice, tin_npis, quality_manager, clock
):
    a, b, c, _ = tin_npis
    services.set_status(
        practice=practice, tin_npi=a, year=2025, status=EucStatus.QUALITY_IA, actor=quality_manager
    )
    services.set_status(practice=practice, tin_npi=b, year=2025, status="pi", actor=quality_manager)
    services.set_status(practice=practice, tin_npi=b, year=2025, status="", actor=quality_manager)
    services.set_status(practice=practice, tin_npi=c, year=2026, status="pi", actor=quality_manager)
    ids = [tn.pk for tn in tin_npis]
    assert queries.euc_categories(ids, 2025) == {a.pk: frozenset({"quality", "ia"})}
    assert queries.recorded_statuses(ids, 2026) == {c.pk: "pi"}


def test_one_entitys_categories_are_euc_categories_of_it(practice, tin_npis, other_tin_npi,
                                                         quality_manager, clock):  # fmt: skip
    """entity_euc_categories (one TIN/NPI, SQL written once per process) reads what
    euc_categories reads for it: a recorded status's categories, none for a cleared or
    missing one, another year's or another practice's."""
    a, b, cleared = tin_npis[:3]
    for tn, status in ((a, "quality_pi"), (b, "ia"), (cleared, "pi"), (cleared, "")):
        services.set_status(practice=practice, tin_npi=tn, year=2025, status=status,
                            actor=quality_manager)  # fmt: skip
    recorded = queries.euc_categories([tn.pk for tn in tin_npis], 2025)
    for tn in tin_npis:
        found = queries.entity_euc_categories(practice.pk, tn.pk, 2025)
        assert found == recorded.get(tn.pk, frozenset())
    assert queries.entity_euc_categories(practice.pk, a.pk, 2025) == {"quality", "pi"}
    assert queries.entity_euc_categories(practice.pk, a.pk, 2026) == frozenset()
    assert queries.entity_euc_categories(other_tin_npi.practice_id, a.pk, 2025) == frozenset()
