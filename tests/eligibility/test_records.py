"""The v6 parser on CMS's example bodies (derived into fixtures/qpp/) and on bad bodies."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment.eligibility.records import (
    MalformedResponse,
    parse_provider,
    parse_single_body,
)

from .conftest import qpp_fixture


def test_it_parses_cms_sample_200():
    record = parse_single_body(qpp_fixture("sample_200.json"))
    assert record.npi == "1234567890"
    assert (record.first_name, record.last_name) == ("Buffy", "Summers")
    assert record.qp_status == "Q" and record.qp_score_type == "MI"
    assert record.newly_enrolled is False
    [org] = record.organizations
    assert org.tin is None  # "XXXXXXXXXX" is masked
    assert org.name == "Scooby Gang Health Partners"
    assert org.zip_code == "000261234"
    ind = org.individual
    assert ind.eligible_individual is False and ind.eligible_group is False
    assert ind.low_volume_switch is True and ind.low_volume_reasons == ("BOTH",)
    assert ind.low_volume_services == 23
    assert ind.hpsa and ind.non_patient_facing and ind.facility_based
    assert not ind.rural and not ind.small_practice and not ind.hospital_based
    assert ind.pi_reweighting and ind.pi_hardship
    assert ind.extreme_hardship
    assert ind.extreme_hardship_categories == ("quality", "pi", "ia", "cost")
    assert ind.extreme_hardship_event_type == "Natural Disaster"
    assert ind.extreme_hardship_sources == ("auto-fema",)
    assert ind.opt_in_eligible and ind.opted_in is True
    assert ind.opt_in_decision_date == dt.date(2019, 9, 13)
    assert ind.specialty == "Psychiatry" and ind.specialty_code == "72"
    assert org.group.eligible_group is False
    [apm] = org.apms
    assert apm.mips_apm and not apm.advanced and apm.apm_id == "08"
    assert apm.apm_name.startswith("Medicare Shared Savings Program")


def test_it_parses_the_constructed_batch_example():
    body = qpp_fixture("constructed_npis_200.json")
    [item] = body["data"]
    record = parse_provider(item, "data[0]")
    family, hospitalist = record.organizations
    assert family.individual.eligible_individual is True
    assert family.individual.small_practice and family.individual.rural
    assert family.individual.opted_in is None
    assert hospitalist.individual.eligible_individual is False
    assert hospitalist.individual.low_volume_reasons == ("BENE/SRVC",)
    assert hospitalist.individual.hospital_based and hospitalist.individual.opt_in_eligible
    assert hospitalist.group.extreme_hardship
    assert hospitalist.apms[0].advanced


def test_group_eligibility_may_be_a_string():
    item = qpp_fixture("constructed_npis_200.json")["data"][0]
    item["organizations"][0]["groupScenario"]["isEligible"]["group"] = "true"
    assert parse_provider(item).organizations[0].group.eligible_group is True


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda b: b.pop("data"), "no 'data' key"),
        (lambda b: b["data"].update(npi="12345"), "data.npi"),
        (lambda b: b["data"].update(organizations={"a": 1}), "data.organizations"),
        (
            lambda b: b["data"]["organizations"][0]["individualScenario"].update(
                lowVolumeSwitch="maybe"
            ),
            "individualScenario.lowVolumeSwitch",
        ),
        (
            lambda b: b["data"]["organizations"][0]["individualScenario"].update(
                lowVolumeServices="many"
            ),
            "lowVolumeServices",
        ),
        (
            lambda b: b["data"]["organizations"][0]["individualScenario"].update(
                optInDecisionDate="someday"
            ),
            "optInDecisionDate",
        ),
    ],
)
def test_it_rejects_malformed_bodies_with_the_place(mutate, where):
    body = qpp_fixture("sample_200.json")
    mutate(body)
    with pytest.raises(MalformedResponse, match=where.replace(".", r"\.")):
        parse_single_body(body)


def test_unmasked_tin_is_kept():
    body = qpp_fixture("sample_200.json")
    body["data"]["organizations"][0]["TIN"] = "46-1234567"
    assert parse_single_body(body).organizations[0].tin == "461234567"
