"""A live Inkwell site for browser tests: its own database (SQLite file, or a dedicated
PostgreSQL database when DATABASE_URL is set), demo content, and a Daphne process that can be
killed and started again on the same port."""
# ruff: noqa: S603 (our own interpreter and arguments)

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
DEMO_PASSWORD = "inkwell-demo"
WRITER = "writer0@demo.inkwell.example"
OTHER_WRITER = "writer1@demo.inkwell.example"
EDITOR = "editor@demo.inkwell.example"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _own_postgres_database(database_url: str) -> str:
    """A fresh database next to ``database_url``'s, named ``<name>_e2e``; its URL.

    pytest-django owns ``test_<name>`` and drops it at the end; the server must not share it.
    """
    import psycopg  # only with DATABASE_URL: SQLite runs need no driver

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'inkwell'}_e2e"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


class LiveSite:
    """A migrated, seeded site in ``state_dir`` and the Daphne process serving it."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
        }
        self.env |= {
            "STATE_DIR": str(state_dir),
            "DEBUG": "true",  # static files straight from static/, no collectstatic step
            "SECRET_KEY": "browser-tests-only",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        if database_url := os.environ.get("DATABASE_URL"):
            self.env["DATABASE_URL"] = _own_postgres_database(database_url)
        if redis_url := os.environ.get("REDIS_URL"):
            self.env["REDIS_URL"] = redis_url
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("seed_demo", "--users", "3", "--posts", "12", "--comments", "40")

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code).strip()

    def start(self) -> None:
        log = (self.state_dir / "daphne.log").open("a")
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "config.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited; see {self.state_dir / 'daphne.log'}.")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.05)  # waiting for the port to open, not timing anything
        raise RuntimeError(f"Daphne did not listen on {self.port} within {STARTUP_SECONDS} s.")

    def kill(self) -> None:
        """Stop the server abruptly, as a crash or a redeploy would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def publish_post(self, *, author: str, title: str, content: str = "Words.") -> str:
        """A published post by ``author``, written straight through the service; its URL path."""
        return self.shell(
            "from accounts.models import User; from blog.services import create_post\n"
            f"author = User.objects.get(email={author!r})\n"
            f"post = create_post(author=author, title={title!r}, content={content!r},"
            " published=True)\n"
            "print(post.get_absolute_url())"
        )
