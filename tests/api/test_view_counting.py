"""Post views: every view counted, none lost to a race, a failed flush or a Redis outage;
counted in Redis and added to the database in batches when Redis is there (blog.view_counts)."""

import math
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import DataError, connection
from django.test import Client

from blog import view_counts
from blog.models import Post
from tests.factories import PostFactory
from tests.live_server import free_port

READERS = 8
VIEWS_EACH = 5


def stored_count(post: Post) -> int:
    post.refresh_from_db()
    return post.view_count


@pytest.fixture
def views_in_redis(settings, monkeypatch):
    """Views counted in Redis, with no flush due until the test makes one."""
    settings.VIEW_COUNT_FLUSH_SECONDS = 60
    monkeypatch.setattr(view_counts, "_next_due_check", math.inf)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_views_are_all_counted(author, settings):
    settings.API_THROTTLE_RATES = {"anonymous": "100000/minute", "user": "100000/minute"}
    post = PostFactory(author=author)

    def read_repeatedly(_: int) -> list[int]:
        client = Client()
        try:
            return [
                client.get("/api/trpc/post.byId", {"input": f'{{"id": "{post.id}"}}'}).status_code
                for _ in range(VIEWS_EACH)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(READERS) as pool:
        statuses = [
            status for batch in pool.map(read_repeatedly, range(READERS)) for status in batch
        ]
    assert statuses == [200] * READERS * VIEWS_EACH
    view_counts.flush()
    assert stored_count(post) == READERS * VIEWS_EACH


@pytest.mark.django_db
def test_without_batching_each_view_is_stored_at_once(trpc, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    post = PostFactory()
    trpc.query("post.bySlug", {"slug": post.slug})
    trpc.query("post.byId", {"id": str(post.id)})
    assert stored_count(post) == 2


@pytest.mark.redis
@pytest.mark.django_db
def test_views_wait_in_redis_until_a_flush_adds_them_once(trpc, views_in_redis):
    viewed, other = PostFactory(), PostFactory()
    for _ in range(3):
        trpc.query("post.bySlug", {"slug": viewed.slug})
    trpc.query("post.byId", {"id": str(other.id)})
    assert (stored_count(viewed), stored_count(other)) == (0, 0)
    assert trpc.query("post.byId", {"id": str(viewed.id)}).data["viewCount"] == 0

    assert view_counts.flush() == 5
    assert (stored_count(viewed), stored_count(other)) == (4, 1)
    assert view_counts.flush() == 0
    assert (stored_count(viewed), stored_count(other)) == (4, 1)


@pytest.mark.redis
@pytest.mark.django_db
def test_the_first_view_after_the_interval_flushes(trpc, settings, monkeypatch):
    settings.VIEW_COUNT_FLUSH_SECONDS = 1
    settings.PUBLIC_READ_CACHE_SECONDS = 0
    monkeypatch.setattr(view_counts, "_next_due_check", 0.0)  # a process yet to look
    post = PostFactory()
    trpc.query("post.byId", {"id": str(post.id)})  # no flush for an interval: one is due
    assert stored_count(post) == 1
    trpc.query("post.byId", {"id": str(post.id)})  # within the interval: pending
    assert stored_count(post) == 1
    time.sleep(1.1)  # the interval passes (Redis expires the last flush's marker)
    answer = trpc.query("post.byId", {"id": str(post.id)})
    assert stored_count(post) == 3
    assert answer.data["viewCount"] == 1  # read before this view's flush


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_failed_flush_keeps_its_views_for_the_next(trpc, views_in_redis):
    overflowing, other = PostFactory(view_count=2**31 - 1), PostFactory()
    trpc.query("post.byId", {"id": str(overflowing.id)})
    trpc.query("post.byId", {"id": str(other.id)})
    with pytest.raises(DataError):  # integer out of range: the batch's UPDATE fails
        view_counts.flush()
    assert stored_count(other) == 0

    Post.objects.filter(id=overflowing.id).update(view_count=0)
    trpc.query("post.byId", {"id": str(other.id)})  # a view after the failed flush
    assert view_counts.flush() == 3
    assert (stored_count(overflowing), stored_count(other)) == (1, 2)


@pytest.mark.redis
@pytest.mark.django_db
def test_a_deleted_posts_views_do_not_stop_the_flush(trpc, views_in_redis):
    deleted, kept = PostFactory(), PostFactory()
    trpc.query("post.byId", {"id": str(deleted.id)})
    trpc.query("post.byId", {"id": str(kept.id)})
    deleted.delete()
    view_counts.flush()
    assert stored_count(kept) == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_with_redis_away_views_are_stored_at_once(trpc, views_in_redis, monkeypatch):
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=1, socket_timeout=1)
    monkeypatch.setattr(view_counts, "_client", unreachable)
    post = PostFactory()
    assert trpc.query("post.byId", {"id": str(post.id)}).status == 200
    assert stored_count(post) == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_the_flush_command_adds_pending_views(trpc, views_in_redis):
    post = PostFactory()
    trpc.query("post.bySlug", {"slug": post.slug})
    trpc.query("post.bySlug", {"slug": post.slug})
    output = StringIO()
    call_command("flush_post_views", stdout=output)
    assert output.getvalue().strip() == "Added 2 view(s) to their posts."
    assert stored_count(post) == 2


@pytest.mark.django_db
def test_the_flush_command_without_batching_says_nothing_is_pending(settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    output = StringIO()
    call_command("flush_post_views", stdout=output)
    assert "none pending" in output.getvalue()


@pytest.mark.redis
@pytest.mark.django_db
def test_the_flush_command_says_when_redis_is_unreachable(views_in_redis, monkeypatch):
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=1, socket_timeout=1)
    monkeypatch.setattr(view_counts, "_client", unreachable)
    with pytest.raises(CommandError, match="Redis is unreachable"):
        call_command("flush_post_views", stdout=StringIO())
