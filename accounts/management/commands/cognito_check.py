"""``manage.py cognito_check``: is the pool's JWKS reachable, and which keys does it hold?"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import jwks
from accounts.providers import cognito


class Command(BaseCommand):
    help = "Fetch the Cognito pool's JWKS once and list its keys; exits non-zero when unreachable."

    def handle(self, *args: object, **options: object) -> None:
        if settings.AUTH_PROVIDER != "cognito":
            raise CommandError("AUTH_PROVIDER is local: there is no Cognito pool to check.")
        missing = [
            name
            for name in ("COGNITO_AWS_REGION", "COGNITO_USER_POOL", "COGNITO_APP_CLIENT_ID")
            if not getattr(settings, name)
        ]
        if missing:
            raise CommandError(f"Not configured: {', '.join(missing)}.")
        url = cognito.jwks_url()
        self.stdout.write(f"Issuer:    {cognito.issuer()}")
        self.stdout.write(f"JWKS:      {url}")
        try:
            found = jwks.fetch(url)
        except jwks.JwksUnavailable as error:
            raise CommandError(f"Unreachable: {error}") from None
        if not found:
            raise CommandError("Reachable, but the JWKS holds no RSA keys.")
        self.stdout.write(f"Reachable: {len(found)} key(s)")
        for kid, key in found.items():
            self.stdout.write(f"  kid={kid} alg={key.get('alg', '?')} use={key.get('use', '?')}")
