"""``manage.py make_editor EMAIL [--remove]``: give someone the Editors role (staff, in the
Editors group), or take it away; running it twice changes nothing."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import User
from lib.errors import NotFound


class Command(BaseCommand):
    help = (
        "Make the account with this email an editor: staff, in the Editors group, with the "
        "permissions moderation needs. --remove takes the role away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--remove", action="store_true", help="Take the role away.")

    def handle(self, *args: object, email: str, remove: bool, **options: object) -> None:
        user = User.objects.with_email(email).first()
        if user is None:
            raise CommandError(f"No account has the email {email!r}.")
        try:
            if remove:
                changed = services.remove_editor(user=user)
            else:
                changed = services.make_editor(user=user)
        except NotFound as error:
            raise CommandError(error.message) from None
        if remove:
            self.stdout.write(
                f"{user.email} is no longer an editor."
                if changed
                else f"{user.email} was not an editor."
            )
        else:
            self.stdout.write(
                f"{user.email} is now an editor."
                if changed
                else f"{user.email} was already an editor."
            )
