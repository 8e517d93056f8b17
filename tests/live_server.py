"""A real Inkwell site for tests that cross a process boundary: its environment in its own
STATE_DIR, its management commands, and Daphne processes serving it on a port."""
# ruff: noqa: S603 (our own interpreter and arguments)

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30
# The suite's own choices; a site gets only what it is given (SQLite in STATE_DIR by default).
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    """Return once ``process`` (``name`` in errors) listens on ``port``; raise if it exits first
    or takes longer than STARTUP_SECONDS."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited during start-up with {process.returncode}.")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)  # waiting for the port to open, not timing anything
    raise RuntimeError(f"{name} did not listen on {port} within {STARTUP_SECONDS} s.")


def own_postgres_database(database_url: str, *, suffix: str) -> str:
    """A fresh database next to ``database_url``'s, named ``<name>_<suffix>``; its URL.

    pytest-django owns ``test_<name>`` and drops it at the end; a server must not share it.
    """
    import psycopg  # only with DATABASE_URL: SQLite runs need no driver

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'inkwell'}_{suffix}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


class Site:
    """A migrated site whose state (SQLite file, secrets, signing keys) lives in ``state_dir``,
    shared by every process started on it; ``settings`` are extra environment variables."""

    def __init__(self, state_dir: Path, **settings: str) -> None:
        self.state_dir = state_dir
        self.env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        self.env |= {
            "STATE_DIR": str(state_dir),
            "SECRET_KEY": "live-server-tests-only",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **settings,
        }
        self.manage("migrate", "--no-input", "-v", "0")

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

    @contextlib.contextmanager
    def serving(self) -> Iterator["Server"]:
        """A started Daphne server for the site, stopped on the way out."""
        server = Server(self)
        server.start()
        try:
            yield server
        finally:
            server.stop()


class Server:
    """A Daphne process serving ``site`` on one port; it can be killed and started there again."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.log = site.state_dir / f"daphne-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start Daphne and return once it listens."""
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "config.asgi:application"],
                cwd=ROOT,
                env=self.site.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, f"Daphne (log: {self.log})")

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
