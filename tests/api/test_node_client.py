"""An unmodified @trpc/client (Node, from the npm registry) against a live Daphne server."""
# ruff: noqa: S603, S607 (fixed command lines built here; node and npm come from PATH)

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tests" / "node"
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Daphne exited: {server.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)  # waiting for the server to listen, not timing anything
    raise RuntimeError("Daphne did not start listening.")


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def node_packages():
    if not (NODE_DIR / "node_modules" / "@trpc" / "client").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    return NODE_DIR


@pytest.fixture
def server_env(tmp_path):
    # The server gets its own SQLite file whatever this suite runs on.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"STATE_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    _run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    return env


@pytest.fixture
def live_server_url(server_env):
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _author_token(env: dict[str, str], email: str) -> str:
    """A Bearer token for ``email`` from the local identity provider's command."""
    return _run([sys.executable, "manage.py", "issue_token", email], env).strip().splitlines()[-1]


def _run_client(server_env: dict[str, str], live_server_url: str, signed_in_by: str) -> dict:
    seed = json.loads(_run([sys.executable, str(NODE_DIR / "seed_server.py")], server_env))
    env = {**server_env, "INKWELL_URL": live_server_url, "INKWELL_SEED": json.dumps(seed)}
    if signed_in_by == "token":
        env["INKWELL_TOKEN"] = _author_token(server_env, seed["authorEmail"])
    else:
        env["INKWELL_HEADERS"] = json.dumps(seed["sessionHeaders"])
    output = _run(["node", str(NODE_DIR / "trpc_client.mjs")], env)
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.parametrize("signed_in_by", ["token", "browser-session"])
def test_trpc_client_lists_reads_searches_and_writes(
    node_packages, server_env, live_server_url, signed_in_by
):
    summary = _run_client(server_env, live_server_url, signed_in_by)
    assert summary["ok"]
    assert summary["mutations"]
    assert {"post.list", "post.search", "comment.list", "mutations"} <= set(summary["checks"])
