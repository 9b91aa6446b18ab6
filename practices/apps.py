from __future__ import annotations

from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Practices and set-up"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from p4p_portal.lookups import register

        from .session_idle import stamp_sign_in

        register()

        user_logged_in.connect(stamp_sign_in, dispatch_uid="practices.session_idle")
