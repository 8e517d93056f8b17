"""An unmodified @trpc/client (Node, from the npm registry) subscribing over Server-Sent Events
with httpSubscriptionLink, split from httpBatchLink, against a live Daphne server: a post another
user publishes arrives within a second, and after the stream is cut, or goes quiet, the
subscription resumes with nothing lost or repeated (trpc_subscription_client.mjs)."""
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
    if not (NODE_DIR / "node_modules" / "eventsource").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    return NODE_DIR


def test_a_subscription_gets_new_posts_at_once_and_resumes_without_loss_or_repeat(
    node_packages, tmp_path
):
    # No pings, and a client told to give up on a stream quiet for 5 s: tRPC's own resumption.
    site = Site(tmp_path, API_SSE_PING_MS="0", API_SSE_RECONNECT_AFTER_INACTIVITY_MS="5000")
    seed = json.loads(_run([sys.executable, str(NODE_DIR / "seed_server.py")], site.env))
    token = site.manage("issue_token", seed["authorEmail"]).strip().splitlines()[-1]
    with site.serving() as server:
        env = {
            **site.env,
            "INKWELL_URL": server.url,
            "INKWELL_SEED": json.dumps(seed),
            "INKWELL_TOKEN": token,
        }
        output = _run(["node", str(NODE_DIR / "trpc_subscription_client.mjs")], env)
    summary = json.loads(output.strip().splitlines()[-1])
    assert summary["checks"] == [
        "published within a second",
        "resumed by Last-Event-ID",
        "resumed by input.lastEventId",
        "draft refused",
    ]
    assert summary["latencyMs"] < 1000
