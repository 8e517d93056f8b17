"""/metrics answers only the scrapers the settings allow: off is a 404, a missing token 401, a
wrong token or network 403; enabling it unprotected is refused at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.metrics.conftest import TOKEN, Scrape

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_metrics_are_not_found_while_disabled(client, settings):
    settings.METRICS_ENABLED = False
    settings.METRICS_TOKEN = TOKEN

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 404
    assert b"inkwell_" not in response.content


def test_a_scrape_without_a_token_is_asked_for_one(client, metrics_on):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"inkwell_" not in response.content


@pytest.mark.parametrize(
    "authorization", ["Bearer not-the-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer "]
)
def test_a_scrape_with_another_token_is_refused(client, metrics_on, authorization):
    response = client.get("/metrics", headers={"Authorization": authorization})

    assert response.status_code in (401, 403)
    assert b"inkwell_" not in response.content


def test_a_wrong_bearer_token_is_forbidden(client, metrics_on):
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 403


def test_the_right_token_gets_the_prometheus_text_format(client, metrics_on):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    scrape = Scrape(response.content.decode())
    assert "# TYPE inkwell_procedure_duration_seconds histogram" in scrape.text
    assert "# TYPE inkwell_open_connections gauge" in scrape.text


def test_an_openmetrics_scraper_gets_openmetrics(client, metrics_on):
    response = client.get(
        "/metrics",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Accept": "application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_only_reads_are_served(client, metrics_on):
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


def test_an_allowed_network_scrapes_without_a_token(client, settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_a_forwarded_address_written_by_the_client_does_not_open_the_metrics(client, settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.AUTH_PROXY_COUNT = 0

    response = client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.1")

    assert response.status_code == 403


def test_network_and_token_are_both_required_when_both_are_set(client, settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    authorized = {"Authorization": f"Bearer {TOKEN}"}

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", headers=authorized).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", headers=authorized).status_code == 200


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("METRICS_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "STATE_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_enabling_metrics_without_a_token_or_networks_is_refused_at_start_up(tmp_path):
    result = _check({"METRICS_ENABLED": "true"}, tmp_path)

    assert result.returncode != 0
    assert "METRICS_ENABLED needs METRICS_TOKEN or METRICS_ALLOWED_NETWORKS" in result.stderr


def test_a_network_that_is_no_address_is_refused_at_start_up(tmp_path):
    result = _check({"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"}, tmp_path)

    assert result.returncode != 0
    assert "METRICS_ALLOWED_NETWORKS holds 'intranet'" in result.stderr
