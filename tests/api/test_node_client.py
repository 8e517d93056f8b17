"""An unmodified @trpc/client (Node, from the npm registry) against a live Daphne server: its
httpBatchLink and httpLink (trpc_client.mjs), and its httpBatchStreamLink, whose answers
stream back as JSON Lines (trpc_stream_client.mjs)."""

import json

import pytest

from tests.api.node_clients import node_packages, seed, summary, token
from tests.live_server import Site

pytestmark = pytest.mark.node
__all__ = ["node_packages"]  # the fixture, used by name


@pytest.fixture
def site(tmp_path):
    # The server gets its own SQLite file whatever this suite runs on. The client's comments,
    # from a seconds-old account, are about the protocol: none is held for review (the live
    # sites' default, bench/live_site.py).
    return Site(tmp_path)


@pytest.fixture
def live_server_url(site):
    with site.serving() as server:
        yield server.url


def _run_client(site: Site, live_server_url: str, signed_in_by: str, script: str) -> dict:
    seeded = seed(site)
    env = {**site.env, "INKWELL_URL": live_server_url, "INKWELL_SEED": json.dumps(seeded)}
    if signed_in_by == "token":
        env["INKWELL_TOKEN"] = token(site, seeded["authorEmail"])
    else:
        env["INKWELL_HEADERS"] = json.dumps(seeded["sessionHeaders"])
    return summary(script, env)


@pytest.mark.parametrize("signed_in_by", ["token", "browser-session"])
def test_trpc_client_lists_reads_searches_and_writes(
    node_packages, site, live_server_url, signed_in_by
):
    checked = _run_client(site, live_server_url, signed_in_by, "trpc_client.mjs")
    assert checked["ok"]
    assert checked["mutations"]
    assert {"post.list", "post.search", "comment.list", "mutations"} <= set(checked["checks"])


@pytest.mark.parametrize("signed_in_by", ["token", "browser-session"])
def test_trpc_stream_link_batches_queries_errors_dates_and_mutations(
    node_packages, site, live_server_url, signed_in_by
):
    checked = _run_client(site, live_server_url, signed_in_by, "trpc_stream_client.mjs")
    assert checked["ok"]
    assert checked["checks"] == [
        "batched queries",
        "dates",
        "error beside success",
        "accept header",
        "batch too large",
        "abort",
        "mutations",
    ]
