"""On PostgreSQL, a tag's page of published posts is read from its filings' index
(``blog_posttag_listing_idx``) in index order, at any depth: a busy tag's page reads its own
rows, never sorting every post the tag carries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog import selectors
from blog.models import Post, PostTag, Tag
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

POSTS = 3000
TAGS = 20
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def tagged_posts():
    """Published posts (and a few drafts), each under three of 20 tags: "busy" carries half
    of them, so reading its page through the index is the plan PostgreSQL chooses on its own."""
    author = UserFactory()
    posts = Post.objects.bulk_create(
        Post(
            title=f"Post {number}",
            slug=f"post-{number}",
            content_html="",
            published=number % 10 != 0,
            published_at=None if number % 10 == 0 else START + timedelta(minutes=number),
            author=author,
        )
        for number in range(POSTS)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"Tag {number}", slug=f"tag-{number}") for number in range(TAGS)
    )
    busy = Tag.objects.create(name="Busy", slug="busy")
    PostTag.objects.bulk_create(
        PostTag(post=post, tag=tag, published_at=post.published_at if post.published else None)
        for number, post in enumerate(posts)
        for tag in [tags[number % TAGS], tags[(number * 7 + 3) % TAGS]]
        + ([busy] if number % 2 else [])
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blog_post")
        cursor.execute("ANALYZE blog_posttag")
        cursor.execute("ANALYZE blog_tag")


def _plan_of(read) -> str:
    """The plan of the page's query (not its tags' prefetch), as PostgreSQL would run it."""
    with CaptureQueriesContext(connection) as captured:
        read()
    (query,) = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _cursor_of(tag: str) -> str | None:
    return selectors.post_row_page(viewer=AnonymousUser(), limit=20, tag=tag).next_cursor


@pytest.mark.parametrize("read", [selectors.post_row_page, selectors.post_page])
@pytest.mark.parametrize("tag", ["busy", "tag-3"])
def test_a_tags_newest_posts_are_read_from_its_listing_index(tagged_posts, read, tag):
    for cursor in (None, _cursor_of(tag)):
        plan = _plan_of(lambda: read(viewer=AnonymousUser(), limit=20, cursor=cursor, tag=tag))  # noqa: B023
        # (An index-only scan, even: the filings' index holds every column the page needs.)
        assert "Scan using blog_posttag_listing_idx on blog_posttag" in plan, plan
        assert not any(
            line.strip().lstrip("-> ").startswith(("Sort", "Incremental Sort"))
            for line in plan.splitlines()
        ), plan
        if cursor:
            # The cursor bounds the scan itself: a deep page reads its own rows only.
            assert "published_at <=" in plan.split("Index Cond:", 1)[1].splitlines()[0], plan
