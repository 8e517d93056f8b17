"""Pages and API answers go gzip-compressed to clients that accept it; streams never do."""

import gzip

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def posts():
    return PostFactory.create_batch(5, published=True)


def test_a_page_is_compressed_when_the_client_accepts_gzip(client, posts):
    response = client.get("/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert "Newest posts" in page
    assert posts[0].title in page
    assert int(response["Content-Length"]) == len(response.content)


def test_a_page_goes_plain_to_a_client_that_does_not_accept_gzip(client, posts):
    response = client.get("/")
    assert not response.has_header("Content-Encoding")
    assert b"Newest posts" in response.content
    assert "Accept-Encoding" in response["Vary"]  # caches keep the two apart


def test_an_api_answer_is_compressed_too(client, posts):
    response = client.get("/api/trpc/post.list", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b'"items"' in gzip.decompress(response.content)


def test_a_streamed_batch_is_not_compressed(client, posts):
    # A compressor would hold each call's line back until its buffer fills.
    response = client.get(
        "/api/trpc/post.list,post.list?batch=1",
        headers={"trpc-accept": "application/jsonl"},
        **GZIP,
    )
    assert response.status_code == 200
    assert response.streaming
    assert not response.has_header("Content-Encoding")
