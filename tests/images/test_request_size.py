"""A body declared larger than REQUEST_MAX_BODY_BYTES is answered 413 by the site's first ASGI
door, without being read, and the site goes on serving."""

import pytest

from config.asgi import application
from tests.asgi_http import asgi_request

pytestmark = pytest.mark.django_db(transaction=True)

FIFTY_MEGABYTES = str(50 * 2**20)


def test_a_50_megabyte_upload_to_the_api_is_a_trpc_413_and_the_site_keeps_serving():
    refused = asgi_request(
        application,
        "POST",
        "/api/trpc/image.upload",
        # Only the declared length: the body itself is never asked for.
        body=b"",
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": FIFTY_MEGABYTES,
        },
    )

    assert refused.status == 413
    assert refused.headers["connection"] == "close"
    assert b'"code":"PAYLOAD_TOO_LARGE"' in refused.body
    assert b"images may be at most 10.0 MB" in refused.body
    assert asgi_request(application, "GET", "/healthz").status == 200


def test_a_50_megabyte_upload_to_a_page_is_a_plain_413():
    refused = asgi_request(
        application,
        "POST",
        "/write/00000000-0000-0000-0000-000000000000/images/",
        body=b"",
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": FIFTY_MEGABYTES,
        },
    )

    assert refused.status == 413
    assert refused.headers["content-type"].startswith("text/plain")
    assert refused.body.startswith(b"The request is over 10.1 MB")


def test_a_body_within_the_limit_reaches_the_site():
    answer = asgi_request(
        application,
        "POST",
        "/api/trpc/post.create",
        body=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "2"},
    )

    assert answer.status == 401  # the site answered: sign in first
