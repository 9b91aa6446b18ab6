"""Grant the enrollment permissions to the practice roles."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(
        apps,
        "enrollment",
        {
            "manage_enrollment": ["Quality Manager"],
            "open_enrollment_case": ["Quality Manager", "Practice Admin"],
            "view_practice_files": ["Quality Manager", "Practice Admin"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0001_initial"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
