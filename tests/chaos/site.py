"""A production-like Inkwell for the chaos suite: DEBUG off, its own PostgreSQL database (on a
cluster of its own when a test restarts PostgreSQL), a Redis server of its own that the tests may
stop and start, and Daphne processes on it."""
# ruff: noqa: S603 (our own interpreter, redis-server and PostgreSQL, with our arguments)

import contextlib
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.live_server import Server, Site, free_port, fresh_postgres_database, wait_for_port

PASSWORD = "a chaos-suite passphrase"
WRITER = "writer@chaos.example"
READER = "reader@chaos.example"
TIMEOUT = 60  # seconds a client waits for one answer: a refusal must come well before
# For tests that write hundreds of comments as one user in seconds: the rate limit is not theirs.
UNTHROTTLED = {"API_THROTTLE_USER": "1000000/minute"}


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


def _postgres_binaries() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian's layout, as in CI)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4])
    )
    if not found:
        raise RuntimeError("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.")
    return Path(found[-1]).parent


class PrivatePostgres:
    """A PostgreSQL cluster of its own on a free port: stopping it is an outage that touches no
    one else (the shared server serves other sites, and this very test process), starting it
    again on the same port and data is the recovery."""

    def __init__(self) -> None:
        self.binaries = _postgres_binaries()
        # initdb refuses root, and pytest's tmp folders are root's alone: the cluster gets a
        # folder of its own under /tmp, owned by the postgres user when we are root.
        self.folder = Path(tempfile.mkdtemp(prefix="inkwell-chaos-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/inkwell"
        self._as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
        # Trust is safe on a cluster that listens on 127.0.0.1 only; the C locale is on every
        # machine, whatever LANG names.
        arguments = ["-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        self._run("initdb", *arguments, "--no-locale", "--no-sync")

    def _run(self, program: str, *arguments: str) -> None:
        command = [*self._as_owner, str(self.binaries / program), *arguments]
        try:
            subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        except subprocess.CalledProcessError as failure:
            raise RuntimeError(f"{program} failed:\n{failure.stdout}{failure.stderr}") from None

    def start(self) -> None:
        """Start the cluster and return once it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart by the operator: sessions are ended, clients see their
        connections closed."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop the cluster if it runs, and delete its data."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class ChaosSite(Site):
    """Migrated, with static files collected (DEBUG off serves the manifest), a writer and a
    reader with real password hashes, and one published post."""

    def __init__(
        self,
        state_dir: Path,
        redis: PrivateRedis,
        postgres: PrivatePostgres | None = None,
        **settings: str,
    ) -> None:
        server_url = postgres.url if postgres else os.environ["DATABASE_URL"]
        super().__init__(
            state_dir,
            DEBUG="false",
            DATABASE_URL=fresh_postgres_database(server_url, suffix="chaos"),
            REDIS_URL=redis.url,
            LOG_LEVEL="WARNING",
            # One fresh writer comments as fast as the machine allows: the live sites' defaults
            # hold none for review and refuse none for its rate (bench/live_site.py).
            **settings,
        )
        self.redis = redis
        self.postgres = postgres
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


@contextlib.contextmanager
def chaos_site_in(folder: Path, **settings: str) -> Iterator[ChaosSite]:
    """A chaos site with ``settings``, on a Redis of its own that is stopped on the way out."""
    redis = PrivateRedis(folder)
    redis.start()
    try:
        yield ChaosSite(folder, redis, **settings)
    finally:
        redis.stop()


def server_errors(server: Server) -> list[str]:
    """The lines of the server's log that report an error or a traceback."""
    text = server.log.read_text(errors="replace") if server.log.exists() else ""
    return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


def call(
    method: str, url: str, *, token: str | None = None, json: object = None
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, url, headers=headers, json=json, timeout=TIMEOUT)


def write_comments(
    servers: list[Server], token: str, post_id: str, count: int, *, writers: int = 4
) -> list[str]:
    """Write ``count`` comments on ``post_id`` over HTTP, ``writers`` at a time, each writer on
    one of ``servers`` and on the next one while its own is unreachable (as a load balancer
    would); the ids of the acknowledged comments. Any answer but 200 fails the test."""
    numbers = itertools.count()
    lock = threading.Lock()

    def writer(first: int) -> list[str]:
        written: list[str] = []
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            while True:
                with lock:
                    number = next(numbers)
                if number >= count:
                    return written
                for attempt in itertools.count():
                    server = servers[(first + attempt) % len(servers)]
                    try:
                        answer = session.post(
                            f"{server.url}/api/trpc/comment.create",
                            json={"postId": post_id, "content": f"Comment {number}"},
                            timeout=TIMEOUT,
                        )
                    except requests.ConnectionError:
                        # Down, or killed mid-request: the comment may or may not be stored.
                        continue
                    assert answer.status_code == 200, answer.text
                    written.append(answer.json()["result"]["data"]["id"])
                    break

    with ThreadPoolExecutor(writers) as pool:
        return [
            comment_id for written in pool.map(writer, range(writers)) for comment_id in written
        ]
