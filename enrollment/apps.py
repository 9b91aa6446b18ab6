from __future__ import annotations

from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Programs and enrollment"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_pending_terms

        # At login we note whether the Terms and Conditions must be shown first.
        user_logged_in.connect(note_pending_terms, dispatch_uid="enrollment_terms_on_login")
