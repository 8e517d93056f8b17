"""A real Inkwell site for tests that cross a process boundary: the benchmarks' site (its own
STATE_DIR and management commands) with Daphne processes that can be killed and started again
on the same port."""
# ruff: noqa: S603 (our own interpreter and arguments)

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bench import live_site
from bench.live_site import ROOT, free_port, fresh_postgres_database, wait_for_port

# Re-exported for the tests: one way to start a site, shared with the benchmarks.
__all__ = ["ROOT", "Server", "Site", "free_port", "fresh_postgres_database", "wait_for_port"]


class Site(live_site.Site):
    """A migrated site whose state (SQLite file, secrets, signing keys) lives in ``state_dir``,
    shared by every process started on it; ``settings`` are extra environment variables."""

    def __init__(self, state_dir: Path, **settings: str) -> None:
        super().__init__(state_dir, **{"SECRET_KEY": "live-server-tests-only", **settings})

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
        command = [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(self.port)]
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
