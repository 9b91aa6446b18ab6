"""Administration view: list, edit one, batch edit with confirmation, deadline, history,
permissions (quality managers only) and outsiders (404)."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from exceptions import services
from exceptions.models import EucException, EucExceptionChange
from exceptions.statuses import EucStatus
from tests.factories import ProviderFactory, TinNpiFactory

pytestmark = pytest.mark.django_db

LIST = reverse("exceptions:status-list-year", args=[2025])
BATCH = reverse("exceptions:status-batch", args=[2025])
HISTORY = reverse("exceptions:status-history", args=[2025])


def edit_url(tin_npi, year=2025):
    return reverse("exceptions:status-edit", args=[year, tin_npi.public_id])


def statuses(tin_npis, year=2025):
    rows = EucException.objects.filter(performance_year=year, tin_npi__in=tin_npis)
    return {row.tin_npi_id: row.status for row in rows}


# --- list -------------------------------------------------------------------------------------


def test_list_shows_every_tin_npi_with_its_status(qm_client, practice, tin_npis, clock):
    services.set_status(
        practice=practice, tin_npi=tin_npis[1], year=2025, status="quality", actor=None
    )
    r = qm_client.get(LIST)
    assert r.status_code == 200
    body = r.content.decode()
    rows = lxml.html.fromstring(r.content).xpath('//section[@id="status-table"]//tbody/tr')
    assert len(rows) == 4
    assert "Quality reporting exception obtained" in body
    assert body.count("No exception") == 3
    assert "January 31, 2026" in body and "America/New_York" in body
    assert 'href="/exceptions/2025/batch/"' in body


def test_qpp_automatic_euc_shows_beside_the_recorded_status(
    qm_client, practice, tin_npis, qpp_euc, clock
):
    services.set_status(practice=practice, tin_npi=tin_npis[0], year=2025, status="pi", actor=None)
    qpp_euc(tin_npis[0], 2025, ["quality", "ia", "cost"])
    qpp_euc(tin_npis[1], 2025, [], group_categories=["quality", "pi", "ia", "cost"])
    qpp_euc(tin_npis[2], 2024, ["quality"])  # another year: not shown
    r = qm_client.get(LIST, {"sort": "clinician"})
    rows = {tn.pk: tn.automatic_euc.label if tn.automatic_euc else None for tn in r.context["page"]}
    assert rows[tin_npis[0].pk] == "Quality, IA, Cost"
    assert rows[tin_npis[1].pk] == "group: Quality, PI, IA, Cost"
    assert rows[tin_npis[2].pk] is None
    assert b"automatic" in r.content
    r = qm_client.get(edit_url(tin_npis[0]))
    text = lxml.html.fromstring(r.content).text_content()
    assert "Recorded: PI reporting exception obtained" in text
    assert "Quality, IA, Cost automatic (Natural Disaster)" in " ".join(text.split())


def test_default_url_shows_the_open_year(qm_client, tin_npis, clock):
    r = qm_client.get(reverse("exceptions:status-list"))
    assert r.status_code == 200 and r.context["year"] == 2025
    clock.local(2026, 2, 1, 0, 0, 1)
    assert qm_client.get(reverse("exceptions:status-list")).context["year"] == 2026


def test_list_filters_sorts_and_empty_state(qm_client, practice, tin_npis, clock):
    services.set_status(practice=practice, tin_npi=tin_npis[2], year=2025, status="pi", actor=None)
    r = qm_client.get(LIST, {"status": "recorded"})
    assert [tn.pk for tn in r.context["page"]] == [tin_npis[2].pk]
    r = qm_client.get(LIST, {"status": "none", "sort": "-clinician"})
    assert len(r.context["page"]) == 3
    assert r.context["page"][0].provider.last_name == "Lovelace"
    r = qm_client.get(LIST, {"q": "Turing"}, headers={"HX-Request": "true"})
    assert b"<html" not in r.content and b"Turing" in r.content
    r = qm_client.get(LIST, {"status": "ia"})
    assert b"No TIN/NPI matches this filter." in r.content


def test_list_empty_practice(qm_client, clock):
    assert b"No active TIN/NPIs yet" in qm_client.get(LIST).content


def test_list_query_count_does_not_grow_with_rows(
    qm_client, practice, tin_npis, clock, django_assert_num_queries
):
    for tn in tin_npis[:2]:
        services.set_status(practice=practice, tin_npi=tn, year=2025, status="ia", actor=None)
    qm_client.get(LIST)  # warm the session
    # user, memberships with their role permissions, count, page rows, QPP snapshots (the session is
    # read from the cache)
    with django_assert_num_queries(5):
        qm_client.get(LIST)
    for _ in range(5):
        TinNpiFactory(
            provider=ProviderFactory(practice=practice), medical_group=tin_npis[0].medical_group
        )
    with django_assert_num_queries(5):
        r = qm_client.get(LIST)
    assert len(r.context["page"]) == 9


def test_unknown_years_are_404(qm_client, clock):
    assert qm_client.get(reverse("exceptions:status-list-year", args=[2016])).status_code == 404
    assert qm_client.get(reverse("exceptions:status-list-year", args=[2027])).status_code == 404


# --- edit one ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [code for code, _ in EucStatus.choices])
def test_edit_saves_each_of_the_seven_statuses(qm_client, tin_npi, status, clock):
    r = qm_client.post(edit_url(tin_npi), {"status": status})
    assert r.status_code == 302 and r["Location"] == LIST
    assert statuses([tin_npi]) == {tin_npi.pk: status}
    change = EucExceptionChange.objects.get()
    assert (change.from_status, change.to_status) == ("", status)
    assert EucStatus(status).label.encode() in qm_client.get(LIST).content


def test_edit_clears_the_status_and_shows_history(qm_client, quality_manager, tin_npi, clock):
    qm_client.post(edit_url(tin_npi), {"status": "quality_pi_ia"})
    qm_client.post(edit_url(tin_npi), {"status": ""})
    assert statuses([tin_npi]) == {tin_npi.pk: ""}
    r = qm_client.get(edit_url(tin_npi))
    rows = lxml.html.fromstring(r.content).xpath('//table[contains(@class, "history")]/tbody/tr')
    assert len(rows) == 2
    newest = rows[0].text_content()
    assert "Quality, PI and IA exception obtained" in newest and "No exception" in newest
    assert quality_manager.get_full_name() in newest


def test_edit_rejects_an_unknown_status(qm_client, tin_npi, clock):
    r = qm_client.post(edit_url(tin_npi), {"status": "cost"})
    assert r.status_code == 400
    assert b'id="id_status-error"' in r.content
    assert not EucException.objects.exists()


def test_edit_renders_the_form_it_submits(qm_client, tin_npi, clock):
    r = qm_client.get(edit_url(tin_npi))
    form = lxml.html.fromstring(r.content).xpath("//main//form")[0]
    options = [o.get("value") for o in form.xpath('.//select[@name="status"]/option')]
    assert options == ["", *[code for code, _ in EucStatus.choices]]


# --- deadline ---------------------------------------------------------------------------------


def test_deadline_on_both_sides_of_midnight_january_31(qm_client, tin_npis, clock):
    clock.local(2026, 1, 31, 23, 59, 59)
    assert qm_client.post(edit_url(tin_npis[0]), {"status": "pi"}).status_code == 302
    r = qm_client.post(BATCH, {"select_all": "on", "status": "ia", "confirmed": "1"})
    assert r.status_code == 302
    clock.local(2026, 2, 1, 0, 0, 0)
    r = qm_client.post(edit_url(tin_npis[0]), {"status": "quality"})
    assert r.status_code == 403
    assert b"closed after" in r.content and b"Nothing was saved" in r.content
    r = qm_client.post(BATCH, {"select_all": "on", "status": "pi", "confirmed": "1"})
    assert r.status_code == 403
    assert set(statuses(tin_npis).values()) == {"ia"}
    page = qm_client.get(LIST).content
    assert b"Closed" in page and b'href="/exceptions/2025/batch/"' not in page
    assert b'<select name="status"' not in qm_client.get(edit_url(tin_npis[0])).content


def test_deadline_uses_the_practices_time_zone(qm_client, practice, tin_npi, clock):
    practice.time_zone = "America/Los_Angeles"
    practice.save()
    clock.local(2026, 2, 1, 1, 0, 0)  # 10 p.m. on January 31 in Los Angeles
    assert qm_client.post(edit_url(tin_npi), {"status": "pi"}).status_code == 302
    clock.local(2026, 1, 31, 23, 59, 59, zone="America/Los_Angeles")
    assert qm_client.post(edit_url(tin_npi), {"status": "ia"}).status_code == 302
    clock.local(2026, 2, 1, 0, 0, 0, zone="America/Los_Angeles")
    assert qm_client.post(edit_url(tin_npi), {"status": "quality"}).status_code == 403


# --- batch ------------------------------------------------------------------------------------


def test_batch_asks_for_confirmation_before_saving(qm_client, tin_npis, clock):
    picked = [str(tn.public_id) for tn in tin_npis[:2]]
    r = qm_client.post(BATCH, {"tin_npis": picked, "status": "quality_pi"})
    assert r.status_code == 200
    assert not EucException.objects.exists()
    doc = lxml.html.fromstring(r.content)
    assert "Confirm the updates" in doc.text_content()
    assert "2 TIN/NPIs" in doc.text_content()
    # Submit the confirmation page's own form (no JavaScript).
    form = next(f for f in doc.forms if "confirmed" in f.inputs)
    data = {k: v for k, v in form.form_values() if k != "tin_npis"}
    data["tin_npis"] = [v for k, v in form.form_values() if k == "tin_npis"]
    r = qm_client.post(form.action, data)
    assert r.status_code == 302
    assert statuses(tin_npis) == {tn.pk: "quality_pi" for tn in tin_npis[:2]}


def test_batch_says_what_will_change_before_ok(
    qm_client, practice, tin_npis, clock, quality_manager
):
    """Issue 21: replacing a recorded status (Kowalski's PI becoming IA) is said up front."""
    a, b, c = tin_npis[:3]
    services.set_status(practice=practice, tin_npi=a, year=2025, status="pi", actor=quality_manager)
    services.set_status(practice=practice, tin_npi=b, year=2025, status="ia", actor=quality_manager)
    picked = [str(tn.public_id) for tn in (a, b, c)]
    r = qm_client.post(BATCH, {"tin_npis": picked, "status": "ia"})
    doc = lxml.html.fromstring(r.content)
    changes = doc.get_element_by_id("batch-changes").text_content()
    assert "1 TIN/NPI without a status will get it." in changes
    assert "1 already has it: no change." in changes
    assert "1 recorded status will be replaced:" in changes
    replaced = doc.get_element_by_id("batch-replaced").text_content()
    assert (
        a.provider.display_name in replaced
        and "PI reporting exception obtained becomes" in replaced
    )
    assert b.provider.display_name not in replaced
    assert statuses(tin_npis) == {a.pk: "pi", b.pk: "ia"}  # nothing saved before OK


def test_batch_select_all_applies_to_every_tin_npi(qm_client, tin_npis, clock):
    r = qm_client.post(BATCH, {"select_all": "on", "status": "ia_pi"})
    assert "all 4" in lxml.html.fromstring(r.content).text_content()
    r = qm_client.post(BATCH, {"select_all": "on", "status": "ia_pi", "confirmed": "1"})
    assert r.status_code == 302
    assert statuses(tin_npis) == {tn.pk: "ia_pi" for tn in tin_npis}
    assert EucExceptionChange.objects.filter(source="batch").count() == 4
    r = qm_client.get(LIST)
    assert "saved for 4 TIN/NPI(s)" in r.content.decode()


def test_batch_clear(qm_client, tin_npis, clock):
    qm_client.post(BATCH, {"select_all": "on", "status": "pi", "confirmed": "1"})
    qm_client.post(BATCH, {"select_all": "on", "status": "clear", "confirmed": "1"})
    assert set(statuses(tin_npis).values()) == {""}


def test_batch_htmx_returns_the_dialog(qm_client, tin_npis, clock):
    r = qm_client.post(BATCH, {"select_all": "on", "status": "pi"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and b"<html" not in r.content
    assert b"<dialog" in r.content and b'name="confirmed"' in r.content
    assert not EucException.objects.exists()


def test_batch_validation_errors(qm_client, tin_npis, other_tin_npi, clock):
    r = qm_client.post(BATCH, {"status": "pi"})
    assert r.status_code == 400 and b"Select at least one clinician/TIN" in r.content
    r = qm_client.post(BATCH, {"select_all": "on"})
    assert r.status_code == 400 and b"Choose the exception status to record." in r.content
    # Another practice's TIN/NPI is not a valid choice.
    r = qm_client.post(
        BATCH, {"tin_npis": [str(other_tin_npi.public_id)], "status": "pi", "confirmed": "1"}
    )
    assert r.status_code == 400 and b'id="id_tin_npis-error"' in r.content
    r = qm_client.post(BATCH, {"status": "pi"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r["HX-Retarget"] == "#batch-form"
    assert b"Select at least one clinician/TIN" in r.content
    assert not EucException.objects.exists()


# --- history ----------------------------------------------------------------------------------


def test_history_page_lists_who_when_from_to(qm_client, quality_manager, tin_npis, clock):
    qm_client.post(edit_url(tin_npis[0]), {"status": "pi"})
    qm_client.post(BATCH, {"select_all": "on", "status": "ia", "confirmed": "1"})
    r = qm_client.get(HISTORY)
    rows = lxml.html.fromstring(r.content).xpath('//table[contains(@class, "history")]/tbody/tr')
    assert len(rows) == 5
    texts = [row.text_content() for row in rows]
    assert sum("PI reporting exception obtained" in t and "Batch edit" in t for t in texts) == 1
    assert all(quality_manager.get_full_name() in t for t in texts)
    assert (
        "No changes recorded for 2024."
        in qm_client.get(reverse("exceptions:status-history", args=[2024])).content.decode()
    )


# --- permissions and outsiders -----------------------------------------------------------------


@pytest.mark.parametrize(
    "client_fixture", ["clinician_client", "billing_client", "admin_client_practice"]
)
def test_other_roles_get_403(request, client_fixture, tin_npi, clock):
    c = request.getfixturevalue(client_fixture)
    for url in [reverse("exceptions:status-list"), LIST, BATCH, HISTORY, edit_url(tin_npi)]:
        assert c.get(url).status_code == 403, url
    assert c.post(edit_url(tin_npi), {"status": "pi"}).status_code == 403
    assert c.post(BATCH, {"select_all": "on", "status": "pi", "confirmed": "1"}).status_code == 403
    assert not EucException.objects.exists()


@pytest.mark.unscoped  # reads both practices' rows
def test_outsider_gets_404_for_our_tin_npi_and_never_sees_our_rows(
    outsider_client, tin_npis, other_tin_npi, clock
):
    assert outsider_client.get(edit_url(tin_npis[0])).status_code == 404
    assert outsider_client.post(edit_url(tin_npis[0]), {"status": "pi"}).status_code == 404
    r = outsider_client.get(LIST)
    assert r.status_code == 200
    assert [tn.pk for tn in r.context["page"]] == [other_tin_npi.pk]
    r = outsider_client.post(
        BATCH, {"tin_npis": [str(tin_npis[0].public_id)], "status": "pi", "confirmed": "1"}
    )
    assert r.status_code == 400
    outsider_client.post(BATCH, {"select_all": "on", "status": "pi", "confirmed": "1"})
    assert statuses(tin_npis) == {}
    assert statuses([other_tin_npi]) == {other_tin_npi.pk: "pi"}


def test_anonymous_is_sent_to_login(client, clock):
    r = client.get(LIST)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_menu_item_only_for_quality_managers(qm_client, clinician_client, clock):
    url = reverse("exceptions:status-list")
    assert f'href="{url}"'.encode() in qm_client.get(reverse("home")).content
    assert f'href="{url}"'.encode() not in clinician_client.get(reverse("home")).content


def test_batch_confirmation_is_refused_after_the_deadline(qm_client, tin_npis, clock):
    clock.local(2026, 2, 1, 0, 0, 0)
    r = qm_client.post(BATCH, {"select_all": "on", "status": "pi"})
    # No "OK" button that could only fail: the page says the option is closed.
    assert r.status_code == 403
    assert b"Confirm the updates" not in r.content and b"closed after" in r.content
    assert not EucException.objects.exists()


def test_list_links_back_to_the_mips_dashboard(qm_client, tin_npis, clock):
    """Issue 21: the breadcrumb is a link and the seed's 'Return to the MIPS Dashboard' exists."""
    doc = lxml.html.fromstring(qm_client.get(LIST).content)
    dashboard = reverse("mips:dashboard") + "?year=2025"
    crumb = doc.xpath("//nav[contains(@class, 'breadcrumb')]//a")[0]
    assert crumb.get("href") == dashboard and crumb.text_content() == "MIPS Dashboard"
    back = doc.get_element_by_id("return-to-dashboard")
    assert back.get("href") == dashboard and back.text_content() == "Return to the MIPS Dashboard"
