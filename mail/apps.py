"""Mail: outbound email queued in the database and sent by a worker, never by a request."""

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mail import checks  # noqa: F401  (registers the checks)
