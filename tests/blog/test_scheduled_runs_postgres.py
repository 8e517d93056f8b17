"""On PostgreSQL, runs of publish_scheduled at the same time share the due posts out between
them (row locks, SKIP LOCKED): each post is published, and announced, exactly once; a run
reads the scheduled posts through their own index."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import services
from blog.models import Post
from realtime.models import ChannelEvent
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _due_posts(author, count: int) -> list[Post]:
    posts = [
        services.create_post(
            author=author,
            title=f"Due {n}",
            content="Words.",
            publish_at=timezone.now() + timedelta(hours=1),
        )
        for n in range(count)
    ]
    Post.objects.filter(id__in=[p.id for p in posts]).update(
        publish_at=timezone.now() - timedelta(minutes=1)
    )
    return posts


def _in_thread(function, results: list, start: threading.Barrier) -> threading.Thread:
    def run() -> None:
        try:
            start.wait()
            results.append(function())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_runs_at_once_publish_every_due_post_once(author):
    posts = _due_posts(author, 40)
    results: list[list[Post]] = []
    start = threading.Barrier(2)
    threads = [
        _in_thread(lambda: services.publish_due_posts(batch_size=3), results, start)
        for _ in range(2)
    ]
    for thread in threads:
        thread.join(timeout=60)

    published_ids = [post.id for run in results for post in run]
    assert sorted(published_ids) == sorted(post.id for post in posts)  # each once, none twice
    assert Post.objects.filter(published=True).count() == 40
    created = [
        json.loads(event.payload)["ids"][0]
        for event in ChannelEvent.objects.filter(channel="/subscriptions/posts")
    ]
    assert sorted(created) == sorted(str(post.id) for post in posts)


def test_a_run_skips_the_posts_another_run_holds_and_publishes_the_rest(author):
    held, free = _due_posts(author, 2)
    holding = threading.Event()
    release = threading.Event()

    def hold_a_row() -> None:
        try:
            with transaction.atomic():
                Post.objects.select_for_update().get(id=held.id)
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_row)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        published = services.publish_due_posts(batch_size=10)  # does not wait for the lock
    finally:
        release.set()
        holder.join(timeout=30)
    assert [post.id for post in published] == [free.id]
    assert Post.objects.get(id=held.id).published is False
    # The next run, with the lock gone, publishes it.
    assert [post.id for post in services.publish_due_posts(batch_size=10)] == [held.id]


def test_a_run_finds_the_due_posts_through_the_scheduled_index(author):
    """However many posts the site has, a run reads the few scheduled ones only."""
    authors = [author, *(UserFactory() for _ in range(9))]
    Post.objects.bulk_create(
        Post(
            title=f"Post {number}",
            slug=f"post-{number}",
            content_html="",
            published=number % 10 != 0,
            published_at=None if number % 10 == 0 else timezone.now(),
            publish_at=timezone.now() + timedelta(days=1) if number % 500 == 0 else None,
            author=authors[number % 10],
        )
        for number in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blog_post")
    with CaptureQueriesContext(connection) as captured:
        assert services.publish_due_posts(batch_size=100) == []
    (query,) = [q["sql"] for q in captured.captured_queries if "blog_post" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "blog_post_scheduled_idx" in plan, plan
