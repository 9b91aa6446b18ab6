"""The MIPS Dashboard view permission (a proxy model carries it) and its grant."""

from __future__ import annotations

from django.db import migrations

from practices.roles import grant


def forwards(apps, schema_editor):
    grant(
        apps,
        "mips",
        {"view_mips_dashboard": ["Quality Manager", "Clinician", "Practice Admin"]},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mips", "0004_attestation_roles"),
        ("practices", "0002_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="DashboardScore",
            fields=[],
            options={
                "verbose_name": "dashboard score",
                "permissions": [
                    (
                        "view_mips_dashboard",
                        "MIPS Dashboard: Practice Performance, report cards, measures",
                    )
                ],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("mips.scoresnapshot",),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
