"""Mail: outbound email queued in the database and sent by a worker, never by a request."""

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    default_auto_field = "django.db.models.BigAutoField"
