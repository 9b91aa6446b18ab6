from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from practices.validators import (
    normalize_tin,
    npi_is_valid,
    npi_with_check_digit,
    validate_npi,
    validate_tin,
    validate_tin_any_kind,
)


@pytest.mark.parametrize(
    "npi",
    [
        "1234567893",  # CMS's worked example of the check digit
        "1245319599",
        "1003000126",
        "1992703540",
    ],
)
def test_valid_npis_pass(npi):
    assert npi_is_valid(npi)
    validate_npi(npi)


@pytest.mark.parametrize(
    ("npi", "code"),
    [
        ("1234567890", "npi_check_digit"),
        ("1234567894", "npi_check_digit"),
        ("123456789", "npi_format"),
        ("12345678933", "npi_format"),
        ("12345A7893", "npi_format"),
        ("", "npi_format"),
    ],
)
def test_invalid_npis_fail_with_reason(npi, code):
    assert not npi_is_valid(npi)
    with pytest.raises(ValidationError) as exc:
        validate_npi(npi)
    assert exc.value.code == code


def test_check_digit_completion_gives_valid_npis():
    for nine in ("123456789", "100000000", "299999999"):
        assert npi_is_valid(npi_with_check_digit(nine))


@pytest.mark.parametrize(
    ("tin", "kind"),
    [("123456789", "EIN"), ("461234567", "EIN"), ("274567890", "EIN"), ("123456789", "SSN")],
)
def test_valid_tins_pass(tin, kind):
    validate_tin(tin, kind)


@pytest.mark.parametrize(
    ("tin", "kind", "code"),
    [
        ("12345678", "EIN", "tin_format"),
        ("1234567890", "EIN", "tin_format"),
        ("12-345678", "EIN", "tin_format"),
        ("111111111", "EIN", "tin_repeated"),
        ("000000000", "SSN", "tin_repeated"),
        *[
            (f"{p}1234567", "EIN", "ein_prefix")
            for p in (
                "00",
                "07",
                "08",
                "09",
                "17",
                "18",
                "19",
                "28",
                "29",
                "49",
                "69",
                "70",
                "78",
                "79",
                "89",
            )
        ],
        ("666123456", "SSN", "ssn_area"),
        ("900123456", "SSN", "ssn_area"),
        ("123001234", "SSN", "ssn_parts"),
        ("123450000", "SSN", "ssn_parts"),
    ],
)
def test_invalid_tins_fail_with_reason(tin, kind, code):
    with pytest.raises(ValidationError) as exc:
        validate_tin(tin, kind)
    assert exc.value.code == code


def test_tin_of_either_kind():
    validate_tin_any_kind("274567890")  # a valid EIN
    # 07 is no EIN prefix but a valid SSN area: accepted when the kind is unknown.
    validate_tin_any_kind("071234567")
    with pytest.raises(ValidationError):
        validate_tin_any_kind("999999999")


def test_normalize_tin_strips_dashes_and_spaces():
    assert normalize_tin(" 12-3456789 ") == "123456789"
    assert normalize_tin("123-45-6789") == "123456789"
