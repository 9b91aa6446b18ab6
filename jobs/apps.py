from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Load every app's tasks module so jobs queued by name (queue.enqueue_job) find
        # their task in the web process too, as the worker's autodiscovery does.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
