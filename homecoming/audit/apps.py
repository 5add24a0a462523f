from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "homecoming.audit"
    label = "audit"
