"""Score snapshots' document and inputs as `json` (stored as written) compressed with lz4:
jsonb's parse and pglz were most of the recalculation's COPY (mips.models.stored_json).
Existing rows are converted in place (jsonb casts to json) and read the same."""

from django.db import migrations

import mips.models.stored_json

TABLE = "mips_scoresnapshot"


def lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # lz4 is offered only when the server was built with it (the postgres images are).
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if not (row and row[0]):
            return
        for column in ("document", "inputs"):
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET COMPRESSION lz4")


def pglz(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for column in ("document", "inputs"):
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET COMPRESSION default")


class Migration(migrations.Migration):
    dependencies = [
        ("mips", "0026_qmr_list_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scoresnapshot",
            name="document",
            field=mips.models.stored_json.StoredJSONField(
                blank=True, default=dict, help_text="Score-preview JSON."
            ),
        ),
        migrations.AlterField(
            model_name="scoresnapshot",
            name="inputs",
            field=mips.models.stored_json.StoredJSONField(
                blank=True, default=dict, help_text="What was scored."
            ),
        ),
        migrations.RunPython(lz4, pglz),
    ]
