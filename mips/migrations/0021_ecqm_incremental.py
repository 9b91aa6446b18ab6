"""Incremental eCQM recalculation (mips/ecqm/incremental.py): each patient records the
transaction and change number that last changed what the engines read of it
(`facts_xact`, `facts_seq`), set by
PostgreSQL triggers so that every write path (ORM, bulk_create, COPY, raw SQL, cascades)
marks it; each eCQM run records its database snapshot and content versions. The
reference engine's input hashes (every fact read and hashed on every run) are dropped.
SQLite (the embedded mode) gets no triggers: its runs are always full."""

from django.db import migrations, models

XACT = "pg_current_xact_id()::text::bigint"
SEQ = "nextval('mips_patient_facts_seq')"
# The Patient columns an engine reads (bundles, candidate SQL, attribution).
PATIENT_COLUMNS = ("birth_date", "sex", "deceased", "deceased_at", "is_test", "data_import_id",
                   "race_code", "race_codes", "ethnicity_code", "payer_code")  # fmt: skip


def _row(alias: str) -> str:
    return "ROW(" + ", ".join(f"{alias}.{c}" for c in PATIENT_COLUMNS) + ")"


CREATE = [
    "CREATE SEQUENCE mips_patient_facts_seq",
    f"""
CREATE FUNCTION mips_mark_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mips_patient SET facts_xact = {XACT}, facts_seq = {SEQ}
    WHERE id IN (SELECT patient_id FROM changed_facts);
    RETURN NULL;
END $$""",
    f"""
CREATE FUNCTION mips_mark_facts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mips_patient SET facts_xact = {XACT}, facts_seq = {SEQ}
    WHERE id IN (SELECT patient_id FROM old_facts UNION SELECT patient_id FROM new_facts);
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER mips_facts_inserted AFTER INSERT ON mips_clinicalfact
REFERENCING NEW TABLE AS changed_facts
FOR EACH STATEMENT EXECUTE FUNCTION mips_mark_facts_changed()""",
    """
CREATE TRIGGER mips_facts_deleted AFTER DELETE ON mips_clinicalfact
REFERENCING OLD TABLE AS changed_facts
FOR EACH STATEMENT EXECUTE FUNCTION mips_mark_facts_changed()""",
    """
CREATE TRIGGER mips_facts_updated AFTER UPDATE ON mips_clinicalfact
REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts
FOR EACH STATEMENT EXECUTE FUNCTION mips_mark_facts_updated()""",
    f"""
CREATE FUNCTION mips_patient_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR {_row("NEW")} IS DISTINCT FROM {_row("OLD")} THEN
        NEW.facts_xact := {XACT};
        NEW.facts_seq := {SEQ};
    END IF;
    RETURN NEW;
END $$""",
    """
CREATE TRIGGER mips_patient_changed BEFORE INSERT OR UPDATE ON mips_patient
FOR EACH ROW EXECUTE FUNCTION mips_patient_changed()""",
]

DROP = [
    "DROP TRIGGER IF EXISTS mips_patient_changed ON mips_patient",
    "DROP FUNCTION IF EXISTS mips_patient_changed()",
    "DROP TRIGGER IF EXISTS mips_facts_updated ON mips_clinicalfact",
    "DROP TRIGGER IF EXISTS mips_facts_deleted ON mips_clinicalfact",
    "DROP TRIGGER IF EXISTS mips_facts_inserted ON mips_clinicalfact",
    "DROP FUNCTION IF EXISTS mips_mark_facts_updated()",
    "DROP FUNCTION IF EXISTS mips_mark_facts_changed()",
    "DROP SEQUENCE IF EXISTS mips_patient_facts_seq",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("mips", "0020_patient_race_codes"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="referenceevaluation",
            name="input_hash",
        ),
        migrations.AddField(
            model_name="ecqmrun",
            name="content",
            field=models.JSONField(blank=True, default=dict, help_text="{cms_id: content hash}"),
        ),
        migrations.AddField(
            model_name="ecqmrun",
            name="full",
            field=models.BooleanField(default=True, help_text="Every patient evaluated."),
        ),
        migrations.AddField(
            model_name="ecqmrun",
            name="snapshot",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="patient",
            name="facts_xact",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="facts_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(create, drop),
    ]
