"""Grant the Program Attestations permission (sign off data, attest PI and IA)."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(apps, "mips", {"attest_mips": ["Quality Manager", "Clinician"]})


class Migration(migrations.Migration):
    dependencies = [
        ("mips", "0003_attestations_scores"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
