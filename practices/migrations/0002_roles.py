"""Create the role groups and grant the set-up permissions."""

from __future__ import annotations

from django.db import migrations

from practices.roles import ensure_groups, grant


def forwards(apps, schema_editor):
    ensure_groups(apps)
    grant(
        apps,
        "practices",
        {
            "practice_setup": ["Quality Manager", "Billing Manager", "Practice Admin"],
            "manage_members": ["Quality Manager", "Practice Admin"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
