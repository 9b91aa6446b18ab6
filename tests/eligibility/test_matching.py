"""Matching QPP's (TIN-masked) organizations to our medical groups."""

from __future__ import annotations

import pytest

from enrollment.eligibility.matching import (
    GroupKey,
    match_organization,
    names_match,
    normalize_street,
)
from enrollment.eligibility.records import Organization, ProviderRecord

GROUP = GroupKey(
    tin="461234567",
    mips_tin="461234567",
    name="Seven Hills Medical Group North",
    address_line1="100 Hilltop Road",
    address_line2="Suite 200",
    city="Cincinnati",
    state="OH",
    zip_code="45202",
)


def org(
    name="SEVEN HILLS MEDICAL GROUP NORTH LLC",
    line1="100 HILLTOP RD STE 200",
    zip_code="452021234",
    tin=None,
):
    return Organization(
        tin=tin,
        name=name,
        address_line1=line1,
        address_line2="",
        city="CINCINNATI",
        state="OH",
        zip_code=zip_code,
        individual=None,
        group=None,
    )


def record(*orgs):
    return ProviderRecord(
        npi="1234567893",
        first_name="A",
        last_name="B",
        newly_enrolled=False,
        qp_status="N",
        qp_score_type="",
        organizations=tuple(orgs),
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("100 Hilltop Road", "100 HILLTOP RD"),
        ("100 Hilltop Road, Suite 200", "100 HILLTOP RD STE 3"),
        ("2400 Valley Parkway #5", "2400 valley pkwy"),
        ("1 North Main Street", "1 N. Main St."),
    ],
)
def test_street_normalisation(a, b):
    assert normalize_street(a) == normalize_street(b)


def test_street_numbers_matter():
    assert normalize_street("100 Hilltop Road") != normalize_street("1000 Hilltop Road")


def test_names_ignore_legal_suffixes_and_punctuation():
    assert names_match("Seven Hills Medical Group, LLC", "SEVEN HILLS MEDICAL GROUP")
    assert names_match("Seven Hills Medical Group North", "SEVEN HILLS MEDICAL GROUP")
    assert not names_match("Clinic", "Riverside Clinic")
    assert not names_match("Lakeside Family Practice", "Seven Hills Medical Group")


def test_it_matches_by_address_and_name():
    target = org()
    result = match_organization(record(org(name="OTHER PLACE", line1="9 ELM ST"), target), GROUP)
    assert result.organization is target and result.mismatch_kind == ""


def test_address_alone_matches_when_the_name_differs():
    result = match_organization(record(org(name="SHMG NORTH CAMPUS")), GROUP)
    assert result.organization is not None and result.mismatch_kind == ""


def test_same_name_other_address_is_an_address_mismatch():
    result = match_organization(record(org(line1="9 RIVER RD", zip_code="45999")), GROUP)
    assert result.organization is not None
    assert result.mismatch_kind == "address_mismatch"
    assert "9 RIVER RD" in result.detail and "100 Hilltop Road" in result.detail


def test_nothing_matching_is_tin_not_matched_and_lists_qpp_orgs():
    result = match_organization(record(org(name="RIVERSIDE HEALTH", line1="1 RIVER RD")), GROUP)
    assert result.organization is None
    assert result.mismatch_kind == "tin_not_matched"
    assert "RIVERSIDE HEALTH" in result.detail


def test_no_organizations_is_tin_not_matched():
    assert match_organization(record(), GROUP).mismatch_kind == "tin_not_matched"


def test_an_unmasked_tin_decides():
    ours = org(name="SOMETHING ELSE", line1="100 HILLTOP RD", tin="461234567")
    assert match_organization(record(ours), GROUP).organization is ours
    # Another practice's unmasked TIN at our address is not ours.
    theirs = org(tin="999999999")
    assert match_organization(record(theirs), GROUP).mismatch_kind == "tin_not_matched"


def test_the_medicare_override_tin_matches():
    group = GroupKey(**{**GROUP.__dict__, "mips_tin": "274567890"})
    hospital = org(name="VALLEY HOSPITAL PHYSICIANS", line1="5 HOSPITAL DR", tin="274567890")
    result = match_organization(record(hospital), group)
    assert result.organization is hospital
    assert result.mismatch_kind == "address_mismatch"
