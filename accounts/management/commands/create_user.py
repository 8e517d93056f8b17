"""``manage.py create_user EMAIL [--name] [--staff] [--password]``: an account in one line."""

import getpass
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from lib.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Create an account. With AUTH_PROVIDER=local it gets a password (--password, or asked "
        "twice); with cognito it gets none and is linked on the person's first sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--staff", action="store_true", help="May use the admin.")
        parser.add_argument("--password", help="Otherwise asked for on the terminal.")

    def handle(
        self,
        *args: object,
        email: str,
        name: str,
        staff: bool,
        password: str | None,
        **options: object,
    ) -> None:
        if settings.AUTH_PROVIDER == "cognito":
            if password is not None:
                raise CommandError("With AUTH_PROVIDER=cognito, passwords live in the user pool.")
        elif password is None:
            password = self._ask_password()
        try:
            user = services.create_user(email=email, password=password, name=name, is_staff=staff)
        except InvalidInput as error:
            problems = "; ".join(
                f"{field}: {message}"
                for field, messages in error.field_errors.items()
                for message in messages
            )
            raise CommandError(f"Could not create {email}: {problems}") from None
        self.stdout.write(f"Created {user.email}{' (staff)' if user.is_staff else ''}.")

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for the password on: pass --password.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
