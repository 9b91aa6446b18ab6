"""Score snapshots' large JSON (document, inputs: ~13 KB a row) compressed with LZ4
instead of PostgreSQL's default pglz: measured on 20,400 snapshots, the COPY that writes
them took 9.1 s with pglz and 4.4-5.2 s with lz4, for 148 MB stored instead of 141 MB,
and LZ4 reads back faster. Only rows written afterwards are compressed anew. A server
built without LZ4 keeps pglz (a notice, not an error); SQLite has no TOAST."""

from django.db import migrations

COLUMNS = ("document", "inputs")


def _set(method: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        alter = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in COLUMNS)
        schema_editor.execute(
            "DO $$ BEGIN "
            f"ALTER TABLE mips_scoresnapshot {alter}; "
            "EXCEPTION WHEN feature_not_supported THEN "
            f"RAISE NOTICE 'this server has no {method} compression; score documents keep pglz'; "
            "END $$"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("mips", "0031_ecqm_rows_without_fk_constraints")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
