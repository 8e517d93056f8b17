"""``manage.py issue_token EMAIL [--kind id|access] [--ttl 1h]``: a local JWT to try the API."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.providers import local
from accounts.providers.local import TokenKind
from lib.durations import parse_duration


class Command(BaseCommand):
    help = (
        "Print a JWT signed by the local provider for an existing account, e.g. "
        'curl -H "Authorization: Bearer $(./manage.py issue_token you@example.com)" …/auth/me'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--kind", choices=["id", "access"], default="access")
        parser.add_argument("--ttl", default="1h", help="Lifetime, e.g. 90s, 30m, 1h (default 1h).")

    # argparse's choices make ``kind`` one of the TokenKind literals.
    def handle(
        self, *args: object, email: str, kind: TokenKind, ttl: str, **options: object
    ) -> None:
        if settings.AUTH_PROVIDER != "local":
            raise CommandError("Tokens are issued by Cognito here (AUTH_PROVIDER=cognito).")
        try:
            lifetime = int(parse_duration(ttl).total_seconds())
        except ValueError as error:
            raise CommandError(str(error)) from None
        user = User.objects.with_email(email).filter(is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the email {email!r}.")
        self.stdout.write(local.issue_token(user=user, kind=kind, ttl=lifetime))
