"""The unmodified aws-amplify `events` client, configured for apiKey authorization with the
site's public read key, against a live Daphne server over TLS (Amplify speaks wss:// only):
it subscribes to a published post's comments and receives a new one, and is refused when it
publishes or subscribes to a draft's or a session channel (tests/node/amplify_public_key.mjs)."""
# ruff: noqa: S603, S607 (fixed command lines built here; openssl comes from PATH)

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.live_site import stop
from tests.api.node_clients import node_packages, seed, summary, token
from tests.live_server import ROOT, Site, free_port, wait_for_port

pytestmark = pytest.mark.node
__all__ = ["node_packages"]  # the fixture, used by name


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


@contextlib.contextmanager
def _serving_tls(site: Site, key: Path, cert: Path) -> Iterator[str]:
    """Daphne serving ``site`` over TLS on a free port; its https:// base URL."""
    port = free_port()
    endpoint = f"ssl:port={port}:interface=127.0.0.1:privateKey={key}:certKey={cert}"
    with (site.state_dir / "daphne-tls.log").open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.serve", "-e", endpoint, "config.asgi:application"],
            cwd=ROOT, env=site.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(port, process, "Daphne with TLS")
        yield f"https://127.0.0.1:{port}"
    finally:
        stop(process)


def test_amplify_with_the_public_key_receives_comments_and_may_not_publish(node_packages, tmp_path):
    site = Site(tmp_path, HTTPS="true")
    seeded = seed(site)
    public_key = site.shell(
        "from realtime.public_read_keys import current_key; print(current_key().value)"
    ).splitlines()[-1]
    key, cert = _certificate(tmp_path)
    with _serving_tls(site, key, cert) as url:
        env = {
            **site.env,
            "INKWELL_URL": url,
            "INKWELL_SEED": json.dumps(seeded),
            "INKWELL_TOKEN": token(site, seeded["authorEmail"]),
            "INKWELL_PUBLIC_KEY": public_key,
            "NODE_EXTRA_CA_CERTS": str(cert),
        }
        checked = summary("amplify_public_key.mjs", env)
    assert checked["checks"] == [
        "subscribed with the key",
        "received a new comment",
        "publish refused",
        "draft and session channels refused",
        "still live after the refusals",
    ]
    assert checked["latencyMs"] < 2000
