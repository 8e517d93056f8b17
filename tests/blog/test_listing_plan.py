"""On PostgreSQL, every listing of published posts reads its page from a ``published_at`` index,
at any depth (the first page and a page after a cursor): everyone's posts in index order, with
no sort; one author's from their own index, never sorting more than their posts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog import selectors
from blog.models import Post
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

POSTS = 3000
AUTHORS = 100  # 30 posts each: one author's are 1 % of the table
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def many_posts():
    """Enough published posts (and a few drafts) that reading a page through an index is the
    plan PostgreSQL chooses on its own, with fresh statistics."""
    authors = [UserFactory() for _ in range(AUTHORS)]
    Post.objects.bulk_create(
        Post(
            title=f"Post {number}",
            slug=f"post-{number}",
            content_html="",
            published=number % 10 != 0,
            published_at=None if number % 10 == 0 else START + timedelta(minutes=number),
            author=authors[number % AUTHORS],
        )
        for number in range(POSTS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blog_post")
    return authors


def _plan_of(read) -> str:
    """The plan of the one query ``read()`` runs, as PostgreSQL would run it."""
    with CaptureQueriesContext(connection) as captured:
        read()
    # (Not the prefetch of the page's tags, which reads from blog_tag.)
    (query,) = [q["sql"] for q in captured.captured_queries if 'FROM "blog_post"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _assert_reads_in_index_order(plan: str, index: str) -> None:
    assert f"Index Scan using {index} on blog_post" in plan, plan
    assert not any(line.strip().lstrip("-> ").startswith("Sort") for line in plan.splitlines()), (
        plan
    )


def _cursor_of(**filters) -> str | None:
    return selectors.post_row_page(viewer=AnonymousUser(), limit=20, **filters).next_cursor


@pytest.mark.parametrize("read", [selectors.post_row_page, selectors.post_page])
def test_the_newest_published_posts_are_read_from_the_publication_index(many_posts, read):
    for cursor in (None, _cursor_of()):
        plan = _plan_of(lambda: read(viewer=AnonymousUser(), limit=20, cursor=cursor))  # noqa: B023
        _assert_reads_in_index_order(plan, "blog_post_published_idx")
        if cursor:
            # The cursor bounds the scan itself: a deep page reads its own rows only.
            assert "Index Cond: (published_at <=" in plan, plan


@pytest.mark.parametrize("read", [selectors.post_row_page, selectors.post_page])
def test_an_authors_published_posts_are_read_from_their_publication_index(many_posts, read):
    author_id = many_posts[3].id
    for cursor in (None, _cursor_of(author_id=author_id)):
        plan = _plan_of(
            lambda: read(viewer=AnonymousUser(), limit=20, cursor=cursor, author_id=author_id)  # noqa: B023
        )
        # Their few posts may be read as a bitmap and sorted: either way, theirs only.
        assert "blog_post_author_published_idx" in plan, plan
        assert any(
            "Index Cond:" in line and f"author_id = '{author_id}'" in line
            for line in plan.splitlines()
        ), plan
        assert "blog_post_published_idx" not in plan, plan


def test_the_created_at_feed_index_is_gone():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'blog_post'")
        names = {name for (name,) in cursor.fetchall()}
    assert "blog_post_feed_idx" not in names
    assert {"blog_post_published_idx", "blog_post_author_published_idx"} <= names
