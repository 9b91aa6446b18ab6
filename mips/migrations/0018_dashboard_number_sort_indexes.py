"""Measure Performance's number sorts (Satisfied = performance, Points): NULLs first ascending,
so one backward index scan serves the descending sort too (mips/dashboard/views/measures.py
ORDERS). PostgreSQL only: SQLite's CREATE INDEX cannot say NULLS FIRST, so these indexes are
not in the model state (the embedded SQLite mode sorts without them)."""

from django.db import migrations

SORTS = {
    "dashmeasure_performance": "performance",
    "dashmeasure_cat_performance": "category, performance",
    "dashmeasure_points": "points",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # 0015 made these on the raw rate; the Satisfied sort reads performance since 0017.
    schema_editor.execute("DROP INDEX IF EXISTS dashmeasure_satisfied")
    schema_editor.execute("DROP INDEX IF EXISTS dashmeasure_cat_satisfied")
    for name, columns in SORTS.items():
        *prefix, number = [c.strip() for c in columns.split(",")]
        leading = "".join(f"{c}, " for c in prefix)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON mips_dashboardmeasurerow "
            f"(practice_id, year, {leading}{number} ASC NULLS FIRST, measure_id, sort_name, id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SORTS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("mips", "0017_dashboard_measure_direction")]

    operations = [migrations.RunPython(create, drop)]
