from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "homecoming.core"
    label = "core"
