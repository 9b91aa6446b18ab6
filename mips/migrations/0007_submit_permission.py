"""The "Submit to QPP" permission of the Clinician Report Card, granted to quality managers."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(apps, "mips", {"submit_to_qpp": ["Quality Manager"]})


class Migration(migrations.Migration):
    dependencies = [
        ("mips", "0006_qrda_uploads_submissions"),
        ("practices", "0002_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="qppsubmission",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    ("submit_to_qpp", "Submit the MIPS data of a clinician or group to QPP")
                ],
                "verbose_name": "QPP submission",
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
