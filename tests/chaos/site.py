"""A production-like Inkwell for the chaos suite: DEBUG off, its own PostgreSQL database, a
Redis server of its own that the tests may stop and start, and Daphne processes on it."""
# ruff: noqa: S603 (our own interpreter and redis-server, with our arguments)

import os
import shutil
import subprocess
from pathlib import Path

import requests

from tests.live_server import Server, Site, free_port, own_postgres_database, wait_for_port

PASSWORD = "a chaos-suite passphrase"
WRITER = "writer@chaos.example"
READER = "reader@chaos.example"
TIMEOUT = 60  # seconds a client waits for one answer: a refusal must come well before


class PrivateRedis:
    """A redis-server on a free port, keeping nothing on disk: stopping it is an outage that
    touches no one else, starting it again on the same port is the recovery."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        arguments += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(
            [binary, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class ChaosSite(Site):
    """Migrated, with static files collected (DEBUG off serves the manifest), a writer and a
    reader with real password hashes, and one published post."""

    def __init__(self, state_dir: Path, redis: PrivateRedis) -> None:
        super().__init__(
            state_dir,
            DEBUG="false",
            DATABASE_URL=own_postgres_database(os.environ["DATABASE_URL"], suffix="chaos"),
            REDIS_URL=redis.url,
            LOG_LEVEL="WARNING",
        )
        self.redis = redis
        self.manage("collectstatic", "--no-input", "-v", "0")
        for email in (WRITER, READER):
            self.manage("create_user", email, "--name", email.split("@")[0], "--password", PASSWORD)
        self.post_id = self.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            f"author = User.objects.get(email={WRITER!r})\n"
            "print(create_post(author=author, title='Chaos', content='Words.', published=True).id)"
        )

    def token(self, email: str) -> str:
        return self.manage("issue_token", email, "--ttl", "3600s").strip()

    def comment_ids(self) -> set[str]:
        listing = self.shell(
            "from blog.models import Comment\n"
            "print(' '.join(str(pk) for pk in Comment.objects.values_list('id', flat=True)))"
        )
        return set(listing.split())


def server_errors(server: Server) -> list[str]:
    """The lines of the server's log that report an error or a traceback."""
    text = server.log.read_text(errors="replace") if server.log.exists() else ""
    return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


def call(
    method: str, url: str, *, token: str | None = None, json: object = None
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, url, headers=headers, json=json, timeout=TIMEOUT)
