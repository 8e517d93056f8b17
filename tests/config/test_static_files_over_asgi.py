"""Static files under ASGI are still served by WhiteNoise inside the middleware chain: with
caching headers, the Content-Security-Policy and the security headers, to GET and to HEAD."""

import pytest

from config.http_handler import SyncChainASGIHandler
from tests.asgi_http import asgi_request

STYLESHEET = "/static/css/site.css"


@pytest.fixture
def handler():
    # Built after the suite's settings (WhiteNoise reads its finders setting when it starts).
    return SyncChainASGIHandler()


def test_a_static_file_is_served_with_caching_and_security_headers(handler):
    answer = asgi_request(handler, "GET", STYLESHEET)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert "max-age=" in answer.headers["cache-control"]
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert len(answer.body) == int(answer.headers["content-length"]) > 0


def test_a_head_for_a_static_file_answers_its_headers_without_a_body(handler):
    answer = asgi_request(handler, "HEAD", STYLESHEET)
    assert answer.status == 200
    assert int(answer.headers["content-length"]) > 0
    assert "content-security-policy" in answer.headers
    assert answer.body == b""


def test_a_missing_static_file_falls_through_to_the_site_404(handler):
    answer = asgi_request(handler, "GET", "/static/css/missing.css")
    assert answer.status == 404
