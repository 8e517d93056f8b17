"""Every HTTP request is timed under its URL route's name, never the path that reached it."""

import pytest

from lib.metrics import UNMATCHED_PAGE
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

PAGES = "inkwell_page_duration_seconds_count"
RESPONSES = "inkwell_page_responses_total"


def test_a_page_view_is_timed_under_its_route_name(client, scrape):
    post = PostFactory(slug="a-post-with-its-own-slug")
    before = scrape()

    assert client.get(f"/posts/{post.slug}/").status_code == 200
    assert client.get("/").status_code == 200

    after = scrape()
    for page in ("blog:post", "blog:home"):
        assert after.value(PAGES, page=page) == before.value(PAGES, page=page) + 1
        assert (
            after.value(RESPONSES, page=page, status="2xx")
            == before.value(RESPONSES, page=page, status="2xx") + 1
        )
    assert post.slug not in after.text


def test_unmatched_paths_share_one_label_value(client, scrape):
    before = scrape()

    for number in range(3):
        assert client.get(f"/no/such/page-{number}").status_code == 404

    after = scrape()
    assert (
        after.value(RESPONSES, page=UNMATCHED_PAGE, status="4xx")
        == before.value(RESPONSES, page=UNMATCHED_PAGE, status="4xx") + 3
    )
    assert "page-1" not in after.text
    assert after.label_values(PAGES, "page") - before.label_values(PAGES, "page") <= {
        UNMATCHED_PAGE
    }


def test_a_missing_post_is_counted_under_the_post_route_as_a_4xx(client, scrape):
    before = scrape()

    assert client.get("/posts/no-such-post/").status_code == 404

    labels = {"page": "blog:post", "status": "4xx"}
    assert scrape().value(RESPONSES, **labels) == before.value(RESPONSES, **labels) + 1
