from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "homecoming.cases"
    label = "cases"
