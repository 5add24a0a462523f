from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homecoming.accounts"
    label = "accounts"

    def ready(self) -> None:
        from homecoming.accounts import signals  # noqa: F401
