"""System checks for misconfigurations that settings alone cannot refuse (ids inkwell.*)."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register(deploy=True)
def check_production_services(
    app_configs: Sequence[AppConfig] | None, **kwargs: object
) -> list[CheckMessage]:
    """With DEBUG off, the site must share its channel layer and keep a stable secret."""
    if settings.DEBUG:
        return []
    problems: list[CheckMessage] = []
    if not settings.REDIS_URL:
        problems.append(
            Error(
                "No Redis channel layer while DEBUG is off: broadcasts would not reach "
                "clients of other server processes.",
                hint="Set REDIS_URL=redis://host:6379/0.",
                id="inkwell.E001",
            )
        )
    if not settings.SECRET_KEY_FROM_ENVIRONMENT:
        problems.append(
            Error(
                "SECRET_KEY is generated on this machine instead of coming from the environment: "
                "sessions and session ids would differ between hosts.",
                hint="Set SECRET_KEY to a long random value shared by every process.",
                id="inkwell.E002",
            )
        )
    if not settings.DATABASE_URL:
        problems.append(
            Warning(
                "The database is the embedded SQLite file.",
                hint="Set DATABASE_URL=postgres://… for production.",
                id="inkwell.W001",
            )
        )
    return problems
