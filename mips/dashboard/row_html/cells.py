"""What the row renderers share: format_html's escaping at a table row's cost, and
numbers printed as the template filters print them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString

CENT = Decimal("0.01")
# Beside the name of the user's own row (Practice Performance, Program Attestations).
OWN_BADGE = SafeString(' <span class="badge">You</span>')


def fill(template: str, *values) -> SafeString:
    """format_html(template, *values) for a row of many cells: each value escaped by
    conditional_escape's rule (its __html__ if it has one, else html.escape of its text,
    as django.utils.html.escape does), without the lazy-string checks and the mark_safe
    format_html spends on every value (most of a row's time)."""
    return SafeString(template.format(*[_cell(v) for v in values]))


def _cell(value) -> str:
    """conditional_escape(value) as text. The common types first: asking a str or an int
    for __html__ raises and catches an AttributeError (a page of rows: ~0.4 ms)."""
    kind = type(value)
    if kind is str:
        return escape(value)
    if kind is SafeString:
        return value
    if kind is int:  # digits and a sign: nothing to escape
        return str(value)
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def two_places(value: Decimal) -> str:
    """`value|floatformat:2` of a Decimal: rounded half up, no thousands separator
    (USE_THOUSAND_SEPARATOR is off), and no minus sign on a value that rounds to zero."""
    rounded = value.quantize(CENT, ROUND_HALF_UP)
    return f"{rounded if rounded else abs(rounded):f}"


def points_text(value: Decimal) -> str:
    """`value|floatformat:"-2"` of a Decimal: a whole number without decimals, else two
    places as two_places() (another number: the filter itself)."""
    if not isinstance(value, Decimal):
        return floatformat(value, "-2")
    if value == value.to_integral_value():
        return str(int(value))
    return two_places(value)


def decimal_text(value: Decimal) -> str:
    """`{{ value }}` of a Decimal: its digits in fixed point (no exponent, no grouping)."""
    return f"{value:f}"
