"""API: the typed procedure registry and its HTTP transport."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
