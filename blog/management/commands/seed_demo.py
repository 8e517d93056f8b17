"""manage.py seed_demo: demo users, posts and threaded comments; safe to run again."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import DEMO_EDITOR_EMAIL, demo_email, ensure_demo_users
from blog.demo import ensure_demo_comments, ensure_demo_posts


class Command(BaseCommand):
    help = (
        "Create demo users, posts (Markdown) and threaded comments, topping up to the sizes given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=5, help="Demo writers (default 5).")
        parser.add_argument("--posts", type=int, default=30, help="Demo posts (default 30).")
        parser.add_argument(
            "--comments", type=int, default=120, help="Demo comments (default 120)."
        )
        parser.add_argument(
            "--password", default="inkwell-demo", help="Password of the demo accounts (new ones)."
        )

    def handle(
        self,
        *args: object,
        users: int,
        posts: int,
        comments: int,
        password: str,
        **options: object,
    ) -> None:
        if users < 1:
            raise CommandError("--users must be at least 1: posts need authors.")
        if posts < 0 or comments < 0:
            raise CommandError("--posts and --comments cannot be negative.")
        writers, new_users = ensure_demo_users(count=users, password=password)
        new_posts = ensure_demo_posts(count=posts, authors=writers)
        new_comments = ensure_demo_comments(count=comments, authors=writers)
        self.stdout.write(
            f"Demo content: {new_users} user(s), {new_posts} post(s), "
            f"{new_comments} comment(s) created."
        )
        if new_users:
            self.stdout.write(
                f"Sign in as {demo_email(0)} (writer) or {DEMO_EDITOR_EMAIL} (editor, admin) "
                f"with the password {password!r}."
            )
