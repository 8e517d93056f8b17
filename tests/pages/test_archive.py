"""The archive: the months with published posts and their counts, and a month's posts."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _published(title: str, when: datetime, **fields) -> Post:
    post = PostFactory(title=title, published=True, **fields)
    Post.objects.filter(pk=post.pk).update(published_at=when)
    return post


@pytest.fixture(autouse=True)
def _fresh_months():
    cache.clear()  # the list of months is kept for a while


@pytest.fixture
def months():
    _published("November one", datetime(2026, 11, 3, 9, tzinfo=UTC))
    _published("November two", datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    _published("December one", datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    _published("Old times", datetime(2025, 1, 15, tzinfo=UTC))
    PostFactory(title="A draft", published=False)


def test_the_archive_lists_months_with_their_published_posts_newest_first(client, months):
    page = client.get("/archive/").content.decode()
    assert page.index("2026") < page.index("2025")
    assert page.index("December") < page.index("November") < page.index("January")
    assert 'href="/archive/2026/11/">November</a> <span class="count">2 posts</span>' in page
    assert 'href="/archive/2025/1/">January</a> <span class="count">1 post</span>' in page


def test_a_month_shows_only_its_own_published_posts_newest_first(client, months):
    page = client.get("/archive/2026/11/").content.decode()
    assert "<h1>November 2026</h1>" in page
    assert page.index("November two") < page.index("November one")
    assert "December one" not in page and "A draft" not in page and "Old times" not in page


def test_a_month_pages_through_its_posts_with_constant_queries(client, django_assert_num_queries):
    for day in range(1, 26):
        _published(f"Day {day}", datetime(2026, 3, day, tzinfo=UTC))
    # 1 the month's page of posts with authors and counts, 2 their tags.
    with django_assert_num_queries(2):
        first = client.get("/archive/2026/3/")
    assert [post.title for post in first.context["page"].items][:2] == ["Day 25", "Day 24"]
    second = client.get("/archive/2026/3/", {"after": first.context["page"].next_cursor})
    assert [post.title for post in second.context["page"].items] == [
        f"Day {day}" for day in range(5, 0, -1)
    ]


@pytest.mark.parametrize("path", ["/archive/2026/13/", "/archive/2026/0/", "/archive/0/5/"])
def test_a_month_that_does_not_exist_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_month_with_nothing_published_is_not_found(client, months):
    assert client.get("/archive/2024/6/").status_code == 404
    assert client.get("/archive/2026/11/", {"after": "garbage"}).status_code == 404
