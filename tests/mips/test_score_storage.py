"""How score snapshots are stored: their large JSON compressed with LZ4 on PostgreSQL
(migration 0032; the snapshot COPY of 20,400 scores took half the time of pglz)."""

import pytest
from django.db import connection

from mips.models import ScoreSnapshot


@pytest.mark.django_db
def test_score_documents_are_compressed_with_lz4():
    if connection.vendor != "postgresql":
        pytest.skip("TOAST compression is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname IN ('document', 'inputs')",
            [ScoreSnapshot._meta.db_table],
        )
        assert dict(cursor.fetchall()) == {"document": "l", "inputs": "l"}
