"""API: the typed procedure registry and its HTTP transport."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        # Every app declares its procedures in <app>/procedures.py; importing them registers them.
        autodiscover_modules("procedures")
