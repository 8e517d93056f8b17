"""A real Inkwell site for the benchmarks: its state in a folder of its own, its management
commands, and Daphne processes serving it on free ports (or several on one SO_REUSEPORT port),
whose memory a benchmark can read, and nginx in front of them with the deployment's config.

The benchmarks keep their own copy of this rather than the test suite's helpers, so that a
change made for a test never changes what a published number measured.
"""
# ruff: noqa: S603 (our own interpreter and arguments)

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30
# What the caller means for its own process; a site is given these explicitly, or runs on
# SQLite in its state folder with the in-memory layer.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shared_port_socket(port: int = 0) -> socket.socket:
    """A socket listening on 127.0.0.1:``port`` (a free one for 0) with SO_REUSEPORT. Daphne
    processes each given one on the same port (``Site.daphne(shared_socket=...)``) each have
    an accept queue of their own, and the kernel spreads new connections over them."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1024)
    return listener


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


def stop(process: subprocess.Popen) -> None:
    """Terminate ``process`` and wait for it; kill it if it takes over 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def fresh_postgres_database(database_url: str, *, suffix: str) -> str:
    """``database_url``'s server with an empty database ``<name>_<suffix>`` (dropped first if a
    previous run left it); its URL. A run that starts empty measures the same thing each time."""
    import psycopg  # only with DATABASE_URL: SQLite runs need no driver

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'inkwell'}_{suffix}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


class Site:
    """A migrated site whose state (database file, secrets, signing keys) lives in
    ``state_dir``; ``settings`` are environment variables on top of the caller's."""

    def __init__(self, state_dir: Path, **settings: str) -> None:
        self.state_dir = state_dir
        self.env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        self.env |= {
            "STATE_DIR": str(state_dir),
            "SECRET_KEY": "benchmarks-only",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # Benchmarks and live tests sign up fresh accounts and write fast: their comments
            # are not held for a moderator (and so are broadcast), nor held or refused by the
            # new-account, rate and repeat spam checks, unless a site asks for it.
            "MODERATION_HOLD_FIRST_COMMENTS": "0",
            "SPAM_CHECKERS": "blog.spam.check_links",
            **settings,
        }
        self.manage("migrate", "--no-input", "-v", "0")

    def manage(self, *args: str) -> str:
        """Run ``manage.py`` on the site; its output, or RuntimeError with its errors."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code).strip()

    def tokens(self, *emails: str, ttl_seconds: int = 3600) -> list[str]:
        """An access JWT of the local provider for each of ``emails``, whose accounts are
        created if new (in one shell: each ``manage.py`` start costs a second or two)."""
        return self.shell(
            "from accounts.models import User\n"
            "from accounts.providers.local import issue_token\n"
            f"for email in {list(emails)!r}:\n"
            "    user = User.objects.filter(email=email).first() or "
            "User.objects.create_user(email, 'pw-not-used')\n"
            f"    print(issue_token(user=user, kind='access', ttl={ttl_seconds}))"
        ).split()

    @contextlib.contextmanager
    def daphne(self, *, shared_socket: socket.socket | None = None) -> Iterator["Daphne"]:
        """One Daphne process serving the site, listening when entered, stopped on the way out;
        on ``shared_socket`` too when given (see ``shared_port_socket``)."""
        server = Daphne(self, shared_socket=shared_socket)
        try:
            yield server
        finally:
            server.stop()


class Daphne:
    """A Daphne process serving ``site`` on a free port of its own, and on ``shared_socket``
    when given; its output goes to ``log``."""

    def __init__(self, site: Site, *, shared_socket: socket.socket | None = None) -> None:
        self.port = free_port()
        self.http_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.log = site.state_dir / f"daphne-{self.port}.log"
        command = [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(self.port)]
        # The shared socket is already listening, so its port would answer before Daphne
        # does: the process's own port is the one waited for.
        inherited = () if shared_socket is None else (shared_socket.fileno(),)
        command += [arg for fd in inherited for arg in ("--fd", str(fd))]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "config.asgi:application"],
                cwd=ROOT,
                env=site.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=inherited,
            )
        self._wait_until_listening()

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        """The process's resident memory now (``VmRSS`` of /proc/<pid>/status), in KiB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1])

    def log_lines(self, *markers: str) -> list[str]:
        """The lines of the server's output that contain any of ``markers``."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if any(mark in line for mark in markers)]

    def stop(self) -> None:
        stop(self.process)

    def _wait_until_listening(self) -> None:
        try:
            wait_for_port(self.port, self.process, f"Daphne (log: {self.log})")
        except RuntimeError:
            self.stop()
            raise


class Nginx:
    """nginx (one worker) in front of Daphne processes on ``upstream_ports``, listening on a
    free port, with the deployment's site configuration (deploy/nginx/inkwell.conf) whose
    upstream servers and listen address are replaced; its files live in ``folder``."""

    SITE_CONFIG = ROOT / "deploy" / "nginx" / "inkwell.conf"

    def __init__(self, folder: Path, upstream_ports: list[int]) -> None:
        self.folder = folder
        self.port = free_port()
        self.http_url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.config = render_nginx_config(folder, upstream_ports, listen_port=self.port)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(self.config), "-e", str(folder / "error.log"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "stderr.log").open("a"),
        )  # fmt: skip
        try:
            wait_for_port(self.port, self.process, f"nginx (log: {folder / 'error.log'})")
        except RuntimeError:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        """The master's and its workers' process ids."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *(int(pid) for pid in children.read_text().split())]

    def stop(self) -> None:
        stop(self.process)


def render_nginx_config(folder: Path, upstream_ports: list[int], *, listen_port: int) -> Path:
    """A main nginx configuration in ``folder`` including deploy/nginx/inkwell.conf, whose
    upstream servers are ``upstream_ports`` on 127.0.0.1 and which listens on ``listen_port``;
    its path. Raises ValueError when the site configuration no longer has what is replaced."""
    site = Nginx.SITE_CONFIG.read_text()
    servers = "".join(f"server 127.0.0.1:{port};\n    " for port in upstream_ports)
    site, upstreams = re.subn(r"server web:8000;\n    ", servers, site)
    site, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", site)
    if (upstreams, listens) != (1, 1):
        raise ValueError(f"{Nginx.SITE_CONFIG} has no 'server web:8000;' or 'listen 80;' line.")
    (folder / "inkwell.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        "worker_processes 1;\n"
        f"pid {folder}/nginx.pid;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "    access_log off;\n"
        # Answers are kept in memory buffers: no temporary files in a folder nginx's worker
        # user might not write to.
        "    proxy_max_temp_file_size 0;\n"
        f"    client_body_temp_path {folder}/client_body;\n"
        f"    proxy_temp_path {folder}/proxy;\n"
        f"    fastcgi_temp_path {folder}/fastcgi;\n"
        f"    uwsgi_temp_path {folder}/uwsgi;\n"
        f"    scgi_temp_path {folder}/scgi;\n"
        f"    include {folder}/inkwell.conf;\n"
        "}\n"
    )
    return main
