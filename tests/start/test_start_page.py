"""The start page per role (issue 20 item 1): deadlines with days left on the injected
clock, clinicians below the threshold with their gap and the payment at stake, open
sign-offs, enrollment cases and portal tasks for the quality manager; a clinician's own
cards and to-dos; a billing manager's portal tasks. Each item links to the page that
resolves it; the query count does not grow with the practice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import html

from enrollment.models import CaseKind
from enrollment.services.cases import open_case
from mips import attestations as attest
from mips.models import DashboardRow
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory
from tests.mips.score_helpers import programs
from tests.portals.factories import AccessIssueFactory, PortalTaskFactory

pytestmark = pytest.mark.django_db
YEAR = 2025  # the year at stake on January 15, 2026
HOME = "/"


@pytest.fixture
def clock(monkeypatch):
    """January 15, 2026, noon in New York: 2025's exceptions and submission are open."""
    now = dt.datetime(2026, 1, 15, 17, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("exceptions.clock.now", lambda: now)
    return now


def row(tin_npi, cps, *, user=None, categories=("quality", "pi", "ia"), year=YEAR):
    provider = tin_npi.provider
    return DashboardRow.objects.create(
        practice=tin_npi.practice, year=year, kind="clinician", tin_npi=tin_npi,
        medical_group=tin_npi.medical_group, public_id=tin_npi.public_id,
        provider_public_id=provider.public_id, provider_user_id=user.pk if user else None,
        name=provider.display_name, sort_name=provider.display_name.lower(),
        npi=provider.npi, tin=tin_npi.medical_group.tin, group_name=tin_npi.medical_group.name,
        enrolled=True, categories=list(categories), enrollment_label="Enrolled",
        cps=None if cps is None else Decimal(str(cps)),
    )  # fmt: skip


def grow(practice, n: int, quality_manager) -> None:
    """n clinicians below the threshold, n open enrollment cases, n portal tasks."""
    group = MedicalGroupFactory(practice=practice)
    progs = programs(YEAR)
    for i in range(n):
        tn = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=group)
        row(tn, 30 + i)
        open_case(
            practice=practice, kind=CaseKind.ENROLL_PROVIDER, year=YEAR, actor=quality_manager,
            tin_npi=tn, target_program=progs["mips_quality"],
        )  # fmt: skip
        PortalTaskFactory(issue=AccessIssueFactory(practice=practice))


def page(client):
    r = client.get(HOME)
    assert r.status_code == 200
    return html.fromstring(r.content)


def section(doc, id_):
    found = doc.xpath(f'//section[@id="{id_}"]')
    return found[0] if found else None


def test_deadlines_count_days_on_the_injected_clock(qm_client, practice, clock, monkeypatch):
    doc = page(qm_client)
    items = section(doc, "deadlines").xpath(".//li")
    text = [" ".join(li.text_content().split()) for li in items]
    assert text[0].startswith("16 days left Record 2025 exception statuses Jan 31, 2026")
    assert text[1].startswith("75 days left 2025 submission period closes Mar 31, 2026")
    assert text[2].startswith("350 days left 2026 performance period ends Dec 31, 2026")
    link = items[0].xpath(".//a")[0].get("href")
    assert link == reverse("exceptions:status-list") + "?year=2025"
    # Thirty days or less stands out (and the text says it, not only the colour).
    assert items[0].xpath('.//span[contains(@class, "warn")]')
    assert not items[2].xpath('.//span[contains(@class, "warn")]')
    # The window for 2025 closed (April): 2026 is at stake and its deadlines are next.
    later = dt.datetime(2026, 4, 1, 17, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("exceptions.clock.now", lambda: later)
    doc = page(qm_client)
    assert "the 2026 performance year is the one at stake" in doc.get_element_by_id("today").text
    first = " ".join(section(doc, "deadlines").xpath(".//li")[0].text_content().split())
    assert first.startswith("274 days left 2026 performance period ends")


def test_submission_window_setting_moves_the_deadline(qm_client, practice, clock, settings):
    settings.MIPS_SUBMISSION_WINDOW = "01-02:04-15"  # a CMS extension
    text = section(page(qm_client), "deadlines").text_content()
    assert "Apr 15, 2026" in " ".join(text.split())


def test_clinicians_below_threshold_with_gap_and_money(qm_client, practice, medical_group, clock):
    low = TinNpiFactory(provider=ProviderFactory(practice=practice, last_name="Low"),
                        medical_group=medical_group)  # fmt: skip
    high = TinNpiFactory(provider=ProviderFactory(practice=practice, last_name="High"),
                         medical_group=medical_group)  # fmt: skip
    row(low, 40)
    row(high, 80)
    box = section(page(qm_client), "below-threshold")
    cells = [" ".join(td.text_content().split()) for td in box.xpath(".//tbody/tr[1]/td")]
    # 2025: threshold 75, floor 18.75, max -9%: -9 * (75 - 40) / (75 - 18.75) = -5.60%
    # (SCORING.md 7, CMS sliding scale); $5,600 per $100,000 of Part B allowed charges.
    assert cells[0].startswith("Low") and cells[1:5] == [
        "40.00",
        "35.00 points",
        "-5.60%",
        "−$5,600",
    ]
    assert len(box.xpath(".//tbody/tr")) == 1  # High (80) is above the threshold
    links = box.xpath(".//tbody/tr[1]//a/@href")
    assert links == [
        reverse("mips:report-card", args=[low.public_id]) + "?year=2025",
        reverse("mips:what-if", args=[low.public_id]) + "?year=2025",
    ]


def test_open_signoffs_counted_and_linked(qm_client, practice, tin_npi, quality_manager, clock):
    row(tin_npi, 60)
    box = section(page(qm_client), "signoffs")
    text = " ".join(box.text_content().split())
    assert "1 CQM data sign-off" in text and "1 clinician or group missing a required PI" in text
    assert box.xpath(".//a/@href")[0] == reverse("mips:attestations") + "?year=2025"
    attest.sign_off(year=YEAR, category="quality", user=quality_manager, tin_npi=tin_npi)
    for mid, _ in attest.required_pi_attestations(YEAR):
        attest.attest_pi(year=YEAR, measure_id=mid, value=True, user=quality_manager,
                         tin_npi=tin_npi)  # fmt: skip
    text = section(page(qm_client), "signoffs").text_content()
    assert "Every enrolled clinician and group is signed off" in text


def test_cases_and_portal_tasks_link_to_their_pages(qm_client, practice, quality_manager, clock):
    grow(practice, 2, quality_manager)
    doc = page(qm_client)
    case_links = section(doc, "open-cases").xpath(".//li/a/@href")
    assert len(case_links) == 2 and all("/enrollment/cases/" in h for h in case_links)
    tasks = section(doc, "portal-tasks")
    assert "2 access issues need your attention" in " ".join(tasks.text_content().split())
    assert len(tasks.xpath(".//li/a")) == 2 and "/portals/tasks/" in tasks.xpath(".//li/a/@href")[0]


def test_clinician_sees_her_own_card_and_todos_only(
    clinician_client, clinician, practice, medical_group, clock
):
    okafor = ProviderFactory(practice=practice, last_name="Okafor", user=clinician)
    own = TinNpiFactory(provider=okafor, medical_group=medical_group)
    other = TinNpiFactory(provider=ProviderFactory(practice=practice, last_name="Whitfield"),
                          medical_group=medical_group)  # fmt: skip
    row(own, 50, user=clinician)
    row(other, 20)
    doc = page(clinician_client)
    body = doc.text_content()
    assert "Whitfield" not in body
    for hidden in (
        "deadlines",
        "below-threshold",
        "signoffs",
        "open-cases",
        "portal-tasks",
        "daily-jobs",
    ):
        assert section(doc, hidden) is None, hidden
    cards = section(doc, "own-cards")
    assert reverse("mips:report-card", args=[own.public_id]) + "?year=2025" in cards.xpath(
        ".//a/@href"
    )
    todos = " ".join(doc.get_element_by_id("own-todos").text_content().split())
    assert "25.00 points below the threshold of 75" in todos
    assert "Sign off your CQM data" in todos and "Complete the required PI attestations" in todos


def test_billing_manager_sees_portal_tasks_not_mips(
    billing_client, practice, quality_manager, clock
):
    grow(practice, 1, quality_manager)
    doc = page(billing_client)
    assert section(doc, "portal-tasks") is not None
    for hidden in ("deadlines", "below-threshold", "signoffs", "open-cases", "own-cards"):
        assert section(doc, hidden) is None, hidden


@pytest.mark.unscoped
def test_outsider_sees_nothing_of_this_practice(outsider_client, practice, quality_manager, clock):
    with_scope = __import__("django_scopes").scope
    with with_scope(practice=practice):
        grow(practice, 2, quality_manager)
    doc = page(outsider_client)
    assert not section(doc, "below-threshold").xpath(".//tbody/tr")
    assert not section(doc, "open-cases").xpath(".//li")
    assert not section(doc, "portal-tasks").xpath(".//li")


@pytest.mark.parametrize("size", [1, 6])
def test_query_count_is_flat_in_the_practice_size(
    qm_client, practice, quality_manager, clock, size, django_assert_num_queries
):
    grow(practice, size, quality_manager)
    # user, memberships with their role permissions (middleware; the session is read from
    # the cache); set-up: provider counts,
    # groups, TIN/NPIs; open sign-offs (one aggregate); below threshold: count, rows; open
    # cases: count, rows; portal tasks: count, rows, access issues needing attention; last
    # daily job runs; the MIPS menu's "has a dashboard" (cached after the first page);
    # providers needing attention (read by the template).
    with django_assert_num_queries(QUERIES):
        qm_client.get(HOME)


QUERIES = 16
