"""The public read cache on Redis: served and fresh while Redis answers, and reads still
answered (from the database) and writes still announced while it is away."""

import os
import uuid

import pytest

from blog import services
from blog.selectors import published_post
from config.cache import FailSoftRedisCache
from lib import process_cache
from tests.factories import CommentFactory, PostFactory
from tests.live_server import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60


def use_cache(monkeypatch, location: str) -> FailSoftRedisCache:
    cache = FailSoftRedisCache(
        location,
        {
            "KEY_PREFIX": f"test-read-cache-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    )
    monkeypatch.setattr(process_cache, "_shared", cache)
    return cache


def test_redis_serves_a_fresh_first_page_and_thread(
    trpc, author, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    use_cache(monkeypatch, os.environ["REDIS_URL"])
    post = PostFactory(author=author)
    CommentFactory(post=post, content="First")
    first_page = trpc.query("post.list").body
    trpc.query("comment.list", {"postId": str(post.id)})
    with django_assert_num_queries(0):
        assert trpc.query("post.list").body == first_page
        trpc.query("comment.list", {"postId": str(post.id)})

    with django_capture_on_commit_callbacks(execute=True):
        services.create_comment(author=author, post=published_post(post_id=post.id), content="Next")

    thread = trpc.query("comment.list", {"postId": str(post.id)}).data
    assert [comment["content"] for comment in thread] == ["First", "Next"]
    assert trpc.query("post.list").data["items"][0]["commentCount"] == 2


def test_with_redis_away_reads_answer_and_writes_are_announced(
    trpc, author, monkeypatch, django_capture_on_commit_callbacks
):
    use_cache(monkeypatch, f"redis://127.0.0.1:{free_port()}/0")
    post = PostFactory(author=author, title="Still listed")
    CommentFactory(post=post, content="Still shown")
    for _ in range(2):
        assert [item["title"] for item in trpc.query("post.list").data["items"]] == ["Still listed"]
        thread = trpc.query("comment.list", {"postId": str(post.id)}).data
        assert [comment["content"] for comment in thread] == ["Still shown"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.create_post(author=author, title="Written anyway", published=True)
    assert len(callbacks) == 1
    assert trpc.query("post.list").data["items"][0]["title"] == "Written anyway"
