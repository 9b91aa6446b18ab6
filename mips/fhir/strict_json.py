"""Read an uploaded FHIR JSON file strictly: uploads are untrusted (issue 16 item 8).

Python's json module would accept duplicate keys (the last one silently wins), raise
RecursionError on deep nesting and ValueError on a 5,000-digit integer (both 500s), and
hand back strings with NUL characters that PostgreSQL cannot store. Each of these is a
clear FhirError here instead, before anything is stored.
"""

from __future__ import annotations

import json

from .parse import FhirError

# FHIR Bundles nest about 10-15 levels deep; this leaves ample room for extensions.
MAX_DEPTH = 64
# Longer numbers are no measurement; Python refuses ints above 4,300 digits anyway.
MAX_NUMBER_CHARS = 40


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise FhirError(f'duplicate JSON key "{key[:80]}" in one object')
        obj[key] = value
    return obj


def _number(text: str, convert):
    if len(text) > MAX_NUMBER_CHARS:
        raise FhirError(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return convert(text)


def _constant(name: str):
    raise FhirError(f"{name} is not a JSON number")


def _check(value: object) -> None:
    """Depth and NUL check without recursion (the value may be deeply nested)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FhirError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str):
            if "\x00" in item:
                raise FhirError("contains a NUL character")
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise FhirError("contains a NUL character")
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def load_strict_json(raw: bytes, name: str) -> object:
    """The parsed document, or FhirError naming the file and the problem."""
    try:
        value = json.loads(
            raw,
            object_pairs_hook=_pairs,
            parse_int=lambda s: _number(s, int),
            parse_float=lambda s: _number(s, float),
            parse_constant=_constant,
        )
        _check(value)
    except FhirError as exc:
        raise FhirError(f"{name}: {exc}") from None
    except RecursionError:
        raise FhirError(f"{name}: nested more than {MAX_DEPTH} levels deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FhirError(f"{name}: not valid JSON ({exc})") from exc
    return value
