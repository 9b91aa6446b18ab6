"""Rows built before migration 0026 have no QMR rows (``QmrListRow``), and a fresh state is
never rebuilt by a page read: mark every dashboard state stale, so the next read of each
practice's year (or its next recalculation) rebuilds the rows, the QMR's included."""

from django.db import migrations
from django.db.models import F


def mark_stale(apps, schema_editor):
    apps.get_model("mips", "DashboardState").objects.update(changes=F("changes") + 1)


class Migration(migrations.Migration):
    dependencies = [("mips", "0027_score_documents_stored_json")]

    operations = [migrations.RunPython(mark_stale, migrations.RunPython.noop)]
