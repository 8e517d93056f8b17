"""Accounts: the user model and the identity providers."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import checks, openapi  # noqa: F401  (register checks, schema extension)
        from accounts.mailing_lists import register_lists

        register_lists()
