"""Identifier checks: NPI (Luhn over the 80840 prefix) and TIN (EIN or SSN)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

# The IRS has never assigned these EIN prefixes (campus codes), so a TIN starting with
# one of them cannot be a real EIN.
UNASSIGNED_EIN_PREFIXES = frozenset(
    {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89"}
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def npi_is_valid(value: str) -> bool:
    """An NPI is 10 digits whose last digit is the Luhn check over '80840' + the first 9."""
    return len(value) == 10 and value.isdigit() and luhn_ok("80840" + value)


def validate_npi(value: str) -> None:
    if not value.isdigit() or len(value) != 10:
        raise ValidationError("An NPI is exactly 10 digits.", code="npi_format")
    if not npi_is_valid(value):
        raise ValidationError(
            "This NPI fails the check-digit test; check it for a typing error.",
            code="npi_check_digit",
        )


def normalize_tin(value: str) -> str:
    """Strip the dash and spaces people type (12-3456789, 123-45-6789)."""
    return value.replace("-", "").replace(" ", "").strip()


def validate_tin(value: str, kind: str = "EIN") -> None:
    """Check a 9-digit TIN; `kind` is "EIN" or "SSN"."""
    if not value.isdigit() or len(value) != 9:
        raise ValidationError("A TIN is exactly 9 digits.", code="tin_format")
    if len(set(value)) == 1:
        raise ValidationError("A TIN cannot be one digit repeated.", code="tin_repeated")
    if kind == "EIN":
        if value[:2] in UNASSIGNED_EIN_PREFIXES:
            raise ValidationError(
                f"{value[:2]} is not an EIN prefix the IRS assigns.", code="ein_prefix"
            )
    elif kind == "SSN":
        area, group, serial = value[:3], value[3:5], value[5:]
        if area in ("000", "666") or area.startswith("9"):
            raise ValidationError("An SSN cannot start with 000, 666 or 9.", code="ssn_area")
        if group == "00" or serial == "0000":
            raise ValidationError("This is not a valid SSN.", code="ssn_parts")
    else:
        raise ValidationError(f"Unknown TIN kind {kind!r}.", code="tin_kind")


def validate_tin_any_kind(value: str) -> None:
    """Accept a TIN that is a plausible EIN or SSN (the kind is not always known)."""
    try:
        validate_tin(value, "EIN")
    except ValidationError as ein_error:
        try:
            validate_tin(value, "SSN")
        except ValidationError:
            raise ein_error from None


def npi_with_check_digit(first_nine: str) -> str:
    """Complete 9 digits into a valid NPI (demo data and test factories)."""
    for check in "0123456789":
        if npi_is_valid(first_nine + check):
            return first_nine + check
    raise ValueError(first_nine)  # unreachable: one of ten digits always passes
