"""App config that registers the project-wide system checks."""

from django.apps import AppConfig


class InkwellConfig(AppConfig):
    name = "config"
    label = "inkwell"
    verbose_name = "Inkwell"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the checks)
