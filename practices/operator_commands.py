"""Operator commands that read or write every practice run deliberately unscoped.

Tenant models use django-scopes, so a query outside a practice scope raises. Django
admin opts out visibly (PracticeMiddleware); these built-in commands (dumpdata, loaddata,
shell) are for operators too, so they opt out the same way, in one place.
"""

from __future__ import annotations

from django_scopes import scopes_disabled


def unscoped(command_class: type) -> type:
    """A subclass of a management command whose handle() runs with scopes disabled."""

    class Unscoped(command_class):
        help = f"{command_class.help} Runs across all practices (tenant scopes disabled)."

        def handle(self, *args, **options):
            with scopes_disabled():
                return super().handle(*args, **options)

    Unscoped.__name__ = Unscoped.__qualname__ = "Command"
    return Unscoped
