"""Prior year on the MIPS Dashboard: Practice Performance and report cards read any year
with data, and this year's rows show last year's final score beside this year's preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mips.dashboard_helpers import clinician as make_clinician
from tests.mips.dashboard_helpers import snapshot
from tests.mips.score_helpers import YEAR, enroll

pytestmark = pytest.mark.django_db
PRIOR = YEAR - 1


@pytest.fixture
def okafor(medical_group):
    tn = make_clinician(medical_group, "Okafor")
    enroll(tn, ("mips_quality", "mips_pi", "mips_ia"), year=PRIOR)
    snapshot(tn, 62.5)  # this year's portal preview
    snapshot(tn, 70, year=PRIOR)  # last year's preview ...
    snapshot(tn, 81.25, year=PRIOR, source="cms_submitted", submission_id="s-1")  # ... and CMS's
    return tn


def test_practice_performance_shows_last_years_final_score(qm_client, okafor, medical_group):
    newcomer = make_clinician(medical_group, "Whitfield")  # no prior year
    snapshot(newcomer, 40)
    r = qm_client.get(reverse("mips:dashboard") + f"?year={YEAR}")
    rows = {e.name.split(",")[0]: e for e in r.context["page_obj"]}
    assert rows["Okafor"].cps == 62.5
    okafor_row = rows["Okafor"]  # submitted beats preview
    assert okafor_row.prior_cps == 81.25 and okafor_row.prior_source == "cms_submitted"
    assert rows["Whitfield"].prior_cps is None
    body = r.content.decode()
    assert f"{PRIOR} final" in body and "81.25" in body


def test_prior_year_view_reads_its_own_year(qm_client, okafor):
    r = qm_client.get(reverse("mips:dashboard") + f"?year={PRIOR}")
    assert r.status_code == 200 and r.context["year"] == PRIOR
    (row,) = list(r.context["page_obj"])
    assert row.cps == 81.25 and row.score_source == "cms_submitted"
    assert "No MIPS-eligible or enrolled clinicians" not in r.content.decode()


def test_report_card_shows_last_years_final_score(qm_client, okafor):
    url = reverse("mips:report-card", args=[okafor.public_id])
    body = qm_client.get(url + f"?year={YEAR}").content.decode()
    assert 'id="prior-score"' in body and "81.25" in body
    qmr = f"{reverse('mips:qmr')}?year={YEAR}&amp;clinician={okafor.provider.public_id}"
    assert qmr in body  # the patient-level data, in tandem with the card
    prior_card = qm_client.get(url + f"?year={PRIOR}")
    assert prior_card.status_code == 200
    assert prior_card.context["headline"].final == 81.25
    assert "none on file" in prior_card.content.decode()  # nothing from two years back


def test_clinician_sees_her_own_prior_score_only(clinician_client, clinician, medical_group):
    own = make_clinician(medical_group, "Raman", user=clinician)
    other = make_clinician(medical_group, "Liu")
    snapshot(own, 55, year=PRIOR)
    snapshot(other, 99, year=PRIOR)
    r = clinician_client.get(reverse("mips:dashboard") + f"?year={YEAR}")
    (row,) = list(r.context["page_obj"])
    assert row.tin_npi_id == own.pk and row.prior_cps == 55
    assert "99.00" not in r.content.decode()
    card = reverse("mips:report-card", args=[other.public_id]) + f"?year={YEAR}"
    assert clinician_client.get(card).status_code == 404
