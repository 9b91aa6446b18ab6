"""The quality manager opens Quality > Pay for Performance, filters and sorts the P4P
table in place (htmx) and opens a provider's statement."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from incentives import services
from tests.factories import ProviderFactory, TinNpiFactory
from tests.incentives import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def p4p_data(practice, medical_group):
    p4p = f.regional_program()
    f.measure(p4p)
    f.phases(p4p)
    f.payment_model(p4p)
    for name, base, now in (
        ("Improver", (29, 50), (39, 60)),
        ("Achiever", (40, 50), (51, 60)),
        ("Stuck", (30, 50), (30, 50)),
    ):
        t = TinNpiFactory(
            provider=ProviderFactory(practice=practice, first_name="Dr", last_name=name),
            medical_group=medical_group,
        )
        f.enroll(p4p, t)
        f.result(t, year=2024, numer=base[0], denom=base[1])
        f.result(t, year=2025, numer=now[0], denom=now[1])
    services.compute_baselines(program=p4p)
    services.create_periods(program=p4p)
    services.close_period(period=p4p.periods.get(label="2025-Q4"))
    return p4p


def test_p4p_dashboard_filter_sort_and_statement(
    page, live_server, login, quality_manager, p4p_data
):
    login(page, "quality@sevenhills.test")
    page.locator("summary", has_text="Quality").click()
    page.locator(".menu-panel").get_by_role("link", name="Pay for Performance").click()
    table = page.locator("#p4p-table table")
    expect(table).to_contain_text("Improver")
    expect(table).to_contain_text("Achiever")
    expect(page.locator("#p4p-table")).to_contain_text("Final")

    # Filtering swaps the table in place: a marker on window survives.
    page.evaluate("window.__noReload = true")
    page.select_option("#id_earned", "no")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Stuck")
    expect(table).to_contain_text("Neither improved enough nor at the benchmark")
    assert page.evaluate("window.__noReload") is True

    page.select_option("#id_earned", "")
    expect(table.locator("tbody tr")).to_have_count(3)
    rows = table.locator("tbody tr")
    page.get_by_role("link", name="Provider payment").click()  # ascending
    expect(rows.first).to_contain_text("Stuck")
    page.get_by_role("link", name="Provider payment").click()  # descending
    expect(rows.last).to_contain_text("Stuck")
    # Two providers earn one point each of the $1,000 pool.
    expect(rows.first).to_contain_text("Improver")
    expect(rows.first).to_contain_text("$500.00")

    rows.first.get_by_role("link", name="$500.00").click()
    expect(page.locator("h1")).to_contain_text("Statement: Improver, Dr")
    expect(page.locator("#statement-lines")).to_contain_text("39 / 60")
    expect(page.locator("#statement-lines")).to_contain_text("Earned by improvement")
    expect(page.locator("main, body").first).to_contain_text("Payment: $500.00")
