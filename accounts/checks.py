"""System checks for the identity settings (ids inkwell.E010 to E019)."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register

_COGNITO_SETTINGS = ("COGNITO_AWS_REGION", "COGNITO_USER_POOL", "COGNITO_APP_CLIENT_ID")


@register()
def check_cognito_settings(
    app_configs: Sequence[AppConfig] | None, **kwargs: object
) -> list[Error]:
    """AUTH_PROVIDER=cognito needs the pool's region, id and app client."""
    if settings.AUTH_PROVIDER != "cognito":
        return []
    missing = [name for name in _COGNITO_SETTINGS if not getattr(settings, name)]
    if not missing:
        return []
    return [
        Error(
            f"AUTH_PROVIDER is cognito but these settings are empty: {', '.join(missing)}.",
            hint="Set COGNITO_AWS_REGION, COGNITO_USER_POOL and COGNITO_APP_CLIENT_ID "
            "(and COGNITO_APP_CLIENT_SECRET if the app client has a secret).",
            id="inkwell.E010",
        )
    ]


@register(deploy=True)
def check_local_signing_key(
    app_configs: Sequence[AppConfig] | None, **kwargs: object
) -> list[Error]:
    """In production the local provider's key must be shared by every host."""
    if settings.DEBUG or settings.AUTH_PROVIDER != "local" or settings.JWT_PRIVATE_KEY:
        return []
    return [
        Error(
            "The local identity provider signs tokens with a key generated on this machine: "
            "tokens issued by one host would be refused by another.",
            hint="Set JWT_PRIVATE_KEY to an RSA private key in PEM form (openssl genrsa 2048), "
            "or use AUTH_PROVIDER=cognito.",
            id="inkwell.E011",
        )
    ]
