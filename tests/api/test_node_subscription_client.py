"""An unmodified @trpc/client (Node, from the npm registry) subscribing over Server-Sent Events
with httpSubscriptionLink, split from httpBatchLink, against a live Daphne server: a post another
user publishes arrives within a second, and after the stream is cut, or goes quiet, the
subscription resumes with nothing lost or repeated (trpc_subscription_client.mjs)."""

import json

import pytest

from tests.api.node_clients import node_packages, seed, summary, token
from tests.live_server import Site

pytestmark = pytest.mark.node
__all__ = ["node_packages"]  # the fixture, used by name


def test_a_subscription_gets_new_posts_at_once_and_resumes_without_loss_or_repeat(
    node_packages, tmp_path
):
    # No pings, and a client told to give up on a stream quiet for 5 s: tRPC's own resumption.
    site = Site(tmp_path, API_SSE_PING_MS="0", API_SSE_RECONNECT_AFTER_INACTIVITY_MS="5000")
    seeded = seed(site)
    with site.serving() as server:
        env = {
            **site.env,
            "INKWELL_URL": server.url,
            "INKWELL_SEED": json.dumps(seeded),
            "INKWELL_TOKEN": token(site, seeded["authorEmail"]),
        }
        checked = summary("trpc_subscription_client.mjs", env)
    assert checked["checks"] == [
        "published within a second",
        "resumed by Last-Event-ID",
        "resumed by input.lastEventId",
        "draft refused",
    ]
    assert checked["latencyMs"] < 1000
