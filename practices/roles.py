"""Role groups and their permissions, for data migrations of every app.

Each app that adds a permission grants it to roles in its own data migration:

    def forwards(apps, schema_editor):
        grant(apps, "mips", {"view_dashboard": ["Quality Manager", "Clinician"]})
"""

from __future__ import annotations

ROLE_GROUPS = ("Quality Manager", "Clinician", "Billing Manager", "Practice Admin")


def grant(apps, app_label: str, perms_by_codename: dict[str, list[str]]) -> None:
    """Create the role groups if needed and give them the named permissions of `app_label`."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; create them now so the grant works
    # on a fresh database in the same migrate run.
    app_config = apps.get_app_config(app_label)
    # Migration-state app configs have no models module; create_permissions skips those.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    for codename, roles in perms_by_codename.items():
        perm = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(perm)


def ensure_groups(apps) -> None:
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
