"""On PostgreSQL, search uses the GIN full-text index and ranks title matches first."""

import pytest
from django.db import connection

from blog import selectors
from blog.models import Post
from blog.search import search_document
from tests.factories import PostFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_full_text_index_exists():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'blog_post' "
            "AND indexname = 'blog_post_search_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition
    assert "setweight" in definition


def test_a_search_query_uses_the_index():
    PostFactory.create_batch(5)
    from django.contrib.postgres.search import SearchQuery

    query = (
        Post.objects.annotate(document=search_document())
        .filter(document=SearchQuery("websockets", config="english"))
        .values("id")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
        plan = query.explain()
    assert "blog_post_search_idx" in plan


def test_title_matches_rank_above_content_matches(reader):
    PostFactory(title="Cooking", content="Thoughts about websockets in passing.")
    PostFactory(title="Websockets explained", content="A long text.")
    page = selectors.search_posts(viewer=reader, query="websockets", limit=10)
    assert [post.title for post in page.items] == ["Websockets explained", "Cooking"]
    assert "\x02" in page.items[1].headline  # the match is marked for highlighting


def test_drafts_never_match(reader):
    PostFactory(title="Secret websockets", published=False)
    assert selectors.search_posts(viewer=reader, query="websockets", limit=10).items == []
