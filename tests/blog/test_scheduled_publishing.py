"""A draft with a future publish_at is scheduled; publish_scheduled publishes it when its time
comes, through the one publishing service (announced, listed, searchable), once."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from blog import services
from blog.models import Post
from lib.errors import InvalidInput
from realtime.models import ChannelEvent
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

SOON = timedelta(hours=2)


def _scheduled(author, title: str = "Scheduled words", content: str = "Out **soon**.") -> Post:
    return services.create_post(
        author=author, title=title, content=content, publish_at=timezone.now() + SOON
    )


def _make_due(*posts: Post) -> None:
    """As if their time had come (the services refuse a time in the past)."""
    Post.objects.filter(id__in=[post.id for post in posts]).update(
        publish_at=timezone.now() - timedelta(minutes=1)
    )


def _publish_scheduled(*args: str) -> str:
    out = StringIO()
    call_command("publish_scheduled", *args, stdout=out)
    return out.getvalue()


def test_a_draft_with_a_future_time_is_scheduled_and_stays_private(author):
    post = _scheduled(author)
    stored = Post.objects.get(id=post.id)
    assert (stored.published, stored.publish_at) == (False, post.publish_at)
    assert Client().get(f"/posts/{post.slug}/").status_code == 404
    # Nothing runs before its time.
    assert "0 scheduled post(s) published" in _publish_scheduled()
    assert Post.objects.get(id=post.id).published is False


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (timedelta(minutes=-1), "Choose a time in the future."),
        (timedelta(0), "Choose a time in the future."),
        (timedelta(days=3 * 366 + 1), "Choose a time within 1098 days."),
    ],
)
def test_a_time_in_the_past_or_too_far_ahead_is_refused_and_changes_nothing(
    author, offset, message
):
    post = services.create_post(author=author, title="Draft", content="Words.")
    with pytest.raises(InvalidInput) as refused:
        services.update_post(post=post, content="Changed", publish_at=timezone.now() + offset)
    assert refused.value.field_errors == {"publishAt": [message]}
    stored = Post.objects.get(id=post.id)
    assert (stored.content, stored.publish_at) == ("Words.", None)
    with pytest.raises(InvalidInput):
        services.create_post(author=author, title="New", publish_at=timezone.now() + offset)
    assert Post.objects.filter(title="New").count() == 0


def test_a_published_post_cannot_be_scheduled(author):
    post = PostFactory(author=author)
    with pytest.raises(InvalidInput) as refused:
        services.update_post(post=post, publish_at=timezone.now() + SOON)
    assert "publishAt" in refused.value.field_errors
    with pytest.raises(InvalidInput):
        services.create_post(
            author=author, title="Both", published=True, publish_at=timezone.now() + SOON
        )
    assert Post.objects.get(id=post.id).publish_at is None


def test_unscheduling_keeps_the_draft_and_publishing_by_hand_ends_the_schedule(author):
    kept = _scheduled(author, title="Kept a draft")
    services.update_post(post=kept, publish_at=None)
    assert Post.objects.get(id=kept.id).publish_at is None

    published = _scheduled(author, title="Published by hand")
    services.update_post(post=published, published=True)
    stored = Post.objects.get(id=published.id)
    assert (stored.published, stored.publish_at) == (True, None)
    assert "0 scheduled post(s) published" in _publish_scheduled()


def test_an_edit_without_publish_at_keeps_the_schedule(author):
    post = _scheduled(author)
    services.update_post(post=post, title="Renamed")
    assert Post.objects.get(id=post.id).publish_at == post.publish_at


def test_the_command_publishes_due_posts_through_the_service_and_says_so(
    author, django_capture_on_commit_callbacks
):
    due = _scheduled(author, title="Due now", content="Findable **zebra** words.")
    later = _scheduled(author, title="Not yet")
    _make_due(due)
    with django_capture_on_commit_callbacks(execute=True):
        report = _publish_scheduled()

    assert f"Published “Due now” ({due.id}) at /posts/due-now/" in report
    assert "1 scheduled post(s) published." in report
    stored = Post.objects.get(id=due.id)
    assert stored.published and stored.publish_at is None and stored.published_at is not None
    assert Post.objects.get(id=later.id).published is False
    # Announced as a new post (live home pages, post.onCreate), like any publication.
    events = [
        json.loads(e.payload) for e in ChannelEvent.objects.filter(channel="/subscriptions/posts")
    ]
    assert [(e["type"], e["ids"]) for e in events] == [("created", [str(due.id)])]
    # Readers find it: the home page, its page, the feed, search.
    reader = Client()
    assert "Due now" in reader.get("/").content.decode()
    assert reader.get("/posts/due-now/").status_code == 200
    assert "Due now" in reader.get("/feed/").content.decode()
    assert "Due now" in reader.get("/search/", {"q": "zebra"}).content.decode()


def test_running_it_again_publishes_nothing_twice(author, django_capture_on_commit_callbacks):
    posts = [_scheduled(author, title=f"Batch {n}") for n in range(5)]
    _make_due(*posts)
    with django_capture_on_commit_callbacks(execute=True):
        first = _publish_scheduled("--batch-size", "2")  # three transactions
        second = _publish_scheduled()
    assert "5 scheduled post(s) published" in first
    assert "0 scheduled post(s) published" in second
    assert Post.objects.filter(published=True).count() == 5
    assert ChannelEvent.objects.filter(channel="/subscriptions/posts").count() == 5


def test_a_bad_batch_size_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        _publish_scheduled("--batch-size", "0")
