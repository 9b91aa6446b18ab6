"""Grant the eCQM data permissions to the practice roles."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(
        apps,
        "mips",
        {
            "view_ecqm_data": ["Quality Manager", "Clinician", "Practice Admin"],
            "import_quality_data": ["Quality Manager"],
            "manage_test_patients": ["Quality Manager", "Practice Admin"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mips", "0001_clinical_data"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
