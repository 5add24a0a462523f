from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "homecoming.tracing"
    label = "tracing"

    def ready(self) -> None:
        from homecoming.tracing import signals  # noqa: F401  (connects the matching of new names)
