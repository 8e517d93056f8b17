"""System checks for the email settings (ids inkwell.W020 to W029)."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Warning, register

_CONSOLE = "django.core.mail.backends.console.EmailBackend"


@register(deploy=True)
def check_email_delivery(
    app_configs: Sequence[AppConfig] | None, **kwargs: object
) -> list[Warning]:
    """In production, email must leave the machine and its links must reach the site."""
    warnings = []
    if settings.EMAIL_BACKEND == _CONSOLE:
        warnings.append(
            Warning(
                "Email goes to the worker's console: confirmation links, replies and follows "
                "reach nobody.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD).",
                id="inkwell.W020",
            )
        )
    if not settings.MAIL_SITE_URL.startswith("https://"):
        warnings.append(
            Warning(
                f"MAIL_SITE_URL is {settings.MAIL_SITE_URL!r}: links in emails lead there, and "
                "mail clients offer one-click unsubscribe (RFC 8058) only for https links.",
                hint="Set MAIL_SITE_URL to the site's public https:// address.",
                id="inkwell.W021",
            )
        )
    return warnings
