"""A live Inkwell site for browser tests: its own database (SQLite file, or a dedicated
PostgreSQL database when DATABASE_URL is set), demo content, and a Daphne server that can be
killed and started again on the same port."""

import os
from pathlib import Path

from tests.live_server import Server, Site, fresh_postgres_database

DEMO_PASSWORD = "inkwell-demo"
WRITER = "writer0@demo.inkwell.example"
OTHER_WRITER = "writer1@demo.inkwell.example"
EDITOR = "editor@demo.inkwell.example"


class LiveSite(Site):
    """A migrated, seeded site in ``state_dir`` and the Daphne ``server`` serving it."""

    def __init__(self, state_dir: Path) -> None:
        database_url = os.environ.get("DATABASE_URL")
        super().__init__(
            state_dir,
            DEBUG="true",  # static files straight from static/, no collectstatic step
            DATABASE_URL=fresh_postgres_database(database_url, suffix="e2e")
            if database_url
            else "",
            REDIS_URL=os.environ.get("REDIS_URL", ""),
        )
        self.manage("seed_demo", "--users", "3", "--posts", "12", "--comments", "40")
        self.server = Server(self)
        self.url = self.server.url

    def publish_post(self, *, author: str, title: str, content: str = "Words.") -> str:
        """A published post by ``author``, written straight through the service; its URL path."""
        return self.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            f"author = User.objects.get(email={author!r})\n"
            f"post = create_post(author=author, title={title!r}, content={content!r},"
            " published=True)\n"
            "print(post.get_absolute_url())"
        )
