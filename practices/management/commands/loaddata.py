"""`manage.py loaddata` across all practices: see practices/operator_commands.py."""

from __future__ import annotations

from django.core.management.commands.loaddata import Command as DjangoCommand

from practices.operator_commands import unscoped

Command = unscoped(DjangoCommand)
