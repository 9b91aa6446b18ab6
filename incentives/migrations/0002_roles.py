"""Grant the P4P dashboard to the practice roles that follow quality."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(
        apps,
        "incentives",
        {"view_p4p_dashboard": ["Quality Manager", "Clinician", "Practice Admin"]},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0001_initial"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
