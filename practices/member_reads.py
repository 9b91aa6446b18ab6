"""The signed-in user's memberships as every request reads them (PracticeMiddleware):
each with its practice and its role's permissions, one statement written once per
process instead of the ORM's memberships query and a permissions query per request."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from p4p_portal.raw_rows import column, columns, instance, table, width

from .models import Membership, Practice, Role


@cache
def _sql() -> str:
    # Membership.permissions' query per row: the role group is named by the role's label.
    labels = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in Role.choices)
    through = Permission.group_set.through
    return (
        f"SELECT {columns(Membership, 'm')}, {columns(Practice, 'p')}, "
        f"ARRAY(SELECT ct.{column(ContentType, 'app_label')} || '.' || "
        f"perm.{column(Permission, 'codename')} "
        f"FROM {table(Permission)} perm "
        f"JOIN {table(ContentType)} ct ON ct.id = perm.{column(Permission, 'content_type')} "
        f"JOIN {table(through)} gp ON gp.{column(through, 'permission')} = perm.id "
        f"JOIN {table(Group)} g ON g.id = gp.{column(through, 'group')} "
        f"WHERE g.{column(Group, 'name')} = CASE m.{column(Membership, 'role')} {labels} END) "
        f"FROM {table(Membership)} m JOIN {table(Practice)} p "
        f"ON p.id = m.{column(Membership, 'practice')} "
        f"WHERE m.{column(Membership, 'user')} = %s AND p.{column(Practice, 'is_active')} "
        f"ORDER BY p.{column(Practice, 'name')}"
    )


def active_memberships(user) -> list[Membership]:
    """The user's memberships of active practices by practice name, each with its
    practice and its permissions (Membership.permissions) read."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [user.pk])
        found = cursor.fetchall()
    split = width(Membership)
    result = []
    for row in found:
        membership = instance(Membership, row[:split])
        practice = instance(Practice, row[split:-1])
        membership._state.fields_cache["practice"] = practice
        membership.__dict__["permissions"] = frozenset(row[-1])
        result.append(membership)
    return result
