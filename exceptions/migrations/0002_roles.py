"""Grant recording exception statuses to quality managers (seed: quality managers record them)."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(apps, "exceptions", {"record_exceptions": ["Quality Manager"]})


class Migration(migrations.Migration):
    dependencies = [
        ("exceptions", "0001_initial"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
