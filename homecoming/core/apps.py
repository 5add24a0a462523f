from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "homecoming.core"
    label = "core"

    def ready(self) -> None:
        # Every app's tasks.py registers its kinds of job (homecoming.core.jobs.job_kind_register).
        autodiscover_modules("tasks")
