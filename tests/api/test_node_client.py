"""An unmodified @trpc/client (Node, from the npm registry) against a live Daphne server: its
httpBatchLink and httpLink (trpc_client.mjs), and its httpBatchStreamLink, whose answers
stream back as JSON Lines (trpc_stream_client.mjs)."""
# ruff: noqa: S603, S607 (fixed command lines built here; node and npm come from PATH)

import json
import subprocess
import sys

import pytest

from tests.live_server import ROOT, Site

pytestmark = pytest.mark.node

NODE_DIR = ROOT / "tests" / "node"


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
def site(tmp_path):
    # The server gets its own SQLite file whatever this suite runs on.
    return Site(tmp_path)


@pytest.fixture
def live_server_url(site):
    with site.serving() as server:
        yield server.url


def _run_client(site: Site, live_server_url: str, signed_in_by: str, script: str) -> dict:
    seed = json.loads(_run([sys.executable, str(NODE_DIR / "seed_server.py")], site.env))
    env = {**site.env, "INKWELL_URL": live_server_url, "INKWELL_SEED": json.dumps(seed)}
    if signed_in_by == "token":
        # A Bearer token from the local identity provider's command (its last line).
        env["INKWELL_TOKEN"] = (
            site.manage("issue_token", seed["authorEmail"]).strip().splitlines()[-1]
        )
    else:
        env["INKWELL_HEADERS"] = json.dumps(seed["sessionHeaders"])
    output = _run(["node", str(NODE_DIR / script)], env)
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.parametrize("signed_in_by", ["token", "browser-session"])
def test_trpc_client_lists_reads_searches_and_writes(
    node_packages, site, live_server_url, signed_in_by
):
    summary = _run_client(site, live_server_url, signed_in_by, "trpc_client.mjs")
    assert summary["ok"]
    assert summary["mutations"]
    assert {"post.list", "post.search", "comment.list", "mutations"} <= set(summary["checks"])


@pytest.mark.parametrize("signed_in_by", ["token", "browser-session"])
def test_trpc_stream_link_batches_queries_errors_dates_and_mutations(
    node_packages, site, live_server_url, signed_in_by
):
    summary = _run_client(site, live_server_url, signed_in_by, "trpc_stream_client.mjs")
    assert summary["ok"]
    assert summary["checks"] == [
        "batched queries",
        "dates",
        "error beside success",
        "accept header",
        "batch too large",
        "abort",
        "mutations",
    ]
