"""A Host header the site does not serve is answered 400 with the static page, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/trpc/post.list", "/no-such-page"])
def test_an_unknown_host_gets_the_400_page(production_client, path):
    response = production_client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Bad request</h1>" in page
    assert "evil.example" not in page


def test_the_400_page_reads_nothing_from_the_request(production_client, author):
    production_client.force_login(author)
    response = production_client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert author.name not in response.content.decode()


def test_a_served_host_still_gets_its_page(production_client):
    assert production_client.get("/", HTTP_HOST="localhost").status_code == 200
