from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "homecoming.registry"
    label = "registry"
