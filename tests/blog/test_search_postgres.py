"""On PostgreSQL, search reads the stored, GIN-indexed search document, ranks title matches
first, newer posts (by publication) first among equals, and ranks only the newest matches."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from blog import search, selectors, services
from blog.models import Post
from tests.factories import PostFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _set_published_at(post: Post, moment: datetime) -> None:
    Post.objects.filter(id=post.id).update(published_at=moment)


def test_the_search_document_is_a_stored_column_kept_in_the_row_with_its_own_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attgenerated, attstorage FROM pg_attribute "
            "WHERE attrelid = 'blog_post'::regclass AND attname = 'search_document'"
        )
        assert cursor.fetchone() == ("s", "m")  # stored generated column, MAIN storage
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'blog_post' "
            "AND indexdef LIKE '%USING gin%'"
        )
        indexes = cursor.fetchall()
    assert indexes == [
        (
            "blog_post_search_document_idx",
            "CREATE INDEX blog_post_search_document_idx ON public.blog_post "
            "USING gin (search_document)",
        )
    ]


def test_a_search_query_uses_the_index():
    PostFactory.create_batch(5)
    query = (
        Post.objects.alias(document=search.SearchDocument())
        .filter(document=SearchQuery("websockets", config="english"))
        .values("id")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
        plan = query.explain()
    assert "blog_post_search_document_idx" in plan


def test_title_matches_rank_above_content_matches(reader):
    PostFactory(title="Cooking", content="Thoughts about websockets in passing.")
    PostFactory(title="Websockets explained", content="A long text.")
    page = selectors.search_posts(viewer=reader, query="websockets", limit=10)
    assert [post.title for post in page.items] == ["Websockets explained", "Cooking"]
    assert "\x02" in page.items[1].headline  # the match is marked for highlighting


def test_drafts_never_match(reader):
    PostFactory(title="Secret websockets", published=False)
    assert selectors.search_posts(viewer=reader, query="websockets", limit=10).items == []


def test_an_edited_post_is_found_by_its_new_words_only(reader):
    post = PostFactory(title="Websockets", content="About sockets.")
    services.update_post(post=post, title="Gardening", content="About tomatoes.")
    assert selectors.search_posts(viewer=reader, query="websockets", limit=10).items == []
    (found,) = selectors.search_posts(viewer=reader, query="tomatoes", limit=10).items
    assert found.id == post.id and found.title == "Gardening"


def test_equally_good_matches_come_newest_first(reader):
    now = datetime.now(UTC)
    for days_ago in (3, 1, 2):
        post = PostFactory(title=f"Caching, {days_ago} days ago", content="Same words.")
        _set_published_at(post, now - timedelta(days=days_ago))
    page = selectors.search_posts(viewer=reader, query="caching", limit=10)
    assert [post.title for post in page.items] == [
        "Caching, 1 days ago",
        "Caching, 2 days ago",
        "Caching, 3 days ago",
    ]


def test_only_the_newest_matches_are_ranked(reader, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 2)
    now = datetime.now(UTC)
    for number in range(2):  # better matches (title), but older than the candidates
        _set_published_at(PostFactory(title=f"Caching {number}"), now - timedelta(days=30))
    newer = [PostFactory(title=f"Notes {n}", content="A word on caching.") for n in range(2)]
    page = selectors.search_posts(viewer=reader, query="caching", limit=10)
    assert {post.id for post in page.items} == {post.id for post in newer}
