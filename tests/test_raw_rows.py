"""Rows read with raw_rows get the values the ORM gives them: a plain JSONField's text read
by orjson is what the field's own json reading makes of it, to the type (an int stays an
int, however long), and a field with a decoder of its own keeps its from_db_value."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import JSONField

from mips.models import DashboardRow
from p4p_portal import raw_rows

TEXTS = [
    "null",
    "true",
    "[]",
    "{}",
    '["quality", "pi", "ia"]',
    '{"status": "eligible_individual", "reasons": [], "mismatch": null, "has_alert": false}',
    '{"a": {"b": [1, 2.5, -0.0, 1e-7, 1E2, 0.1, 3.141592653589793]}, "é": "ü \\" \\\\ \\n"}',
    '"\\ud83d\\ude00 <b>&amp;</b>"',
    "9223372036854775807",  # the largest 64-bit int: orjson's too
    "-9223372036854775808",
    "18446744073709551616",  # 2**64: json's int, orjson's float
    '{"n": 123456789012345678901234567890}',
    '{"id": "1234567890123456789012"}',  # many digits in a string: json reads it
    '{"a": 123456789012345678, "b": [123456789012345678, -123456789012345678]}',  # orjson
    '{"n": 9223372036854775808, "m": 1}',  # one past the largest 64-bit int
    '{"x": 0.12345678901234567890123}',
    "1.5e400",  # inf for json, refused by orjson
    "12345678901234567890.5",
    "not json",  # the field returns the text as it is
]


def _same(a, b) -> bool:
    """Equal and of the same types all the way down (1 == 1.0 == True for ==)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # nan


def _convert(field, value):
    converter = dict(raw_rows._converters(DashboardRow))
    position = [f.name for f in raw_rows._fields(DashboardRow)].index(field.name)
    return converter[position](value, None, connection)


@pytest.mark.parametrize("text", [*TEXTS, None])
def test_a_json_fields_text_is_read_as_the_field_reads_it(text):
    for name in ("categories", "eligibility"):
        field = DashboardRow._meta.get_field(name)
        assert _same(_convert(field, text), field.from_db_value(text, None, connection))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's jsonb text")
def test_what_postgresql_writes_is_read_as_the_field_reads_it():
    field = DashboardRow._meta.get_field("eligibility")
    with connection.cursor() as cursor:
        for text in TEXTS[:-1]:
            cursor.execute("SELECT %s::jsonb", [text])
            (stored,) = cursor.fetchone()
            expected = field.from_db_value(stored, None, connection)
            assert _same(_convert(field, stored), expected)
            assert _same(expected, json.loads(stored))


def test_a_field_with_its_own_decoder_or_reading_keeps_it():
    class Decoded(JSONField):
        def from_db_value(self, value, expression, connection):
            return ("own", value)

    assert not raw_rows._plain_json(JSONField(decoder=json.JSONDecoder))
    assert not raw_rows._plain_json(Decoded())
    assert raw_rows._plain_json(JSONField(encoder=DjangoJSONEncoder))
