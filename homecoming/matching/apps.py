from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "homecoming.matching"
    label = "matching"
