"""A cached public read costs no query; a rolled-back write leaves the cache as it was."""

import pytest
from django.db import transaction

from blog import services
from realtime.read_versions import shared_cache, version_key
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60


@pytest.mark.parametrize("limit", [1, 20, 50])
def test_a_cached_first_page_costs_no_query(trpc, django_assert_num_queries, limit):
    for post in PostFactory.create_batch(3):
        CommentFactory(post=post)
    first = trpc.query("post.list", {"limit": limit}).body
    with django_assert_num_queries(0):
        again = trpc.query("post.list", {"limit": limit}).body
    assert again == first


def test_a_cached_comment_list_costs_no_query(trpc, django_assert_num_queries):
    post = PostFactory()
    parent = CommentFactory(post=post)
    CommentFactory(post=post, parent=parent)
    first = trpc.query("comment.list", {"postId": str(post.id)}).body
    with django_assert_num_queries(0):
        again = trpc.query("comment.list", {"postId": str(post.id)}).body
    assert again == first


def test_the_cache_off_reads_the_database_every_time(trpc, settings, django_assert_num_queries):
    settings.PUBLIC_READ_CACHE_SECONDS = 0
    PostFactory()
    trpc.query("post.list")
    with django_assert_num_queries(1):  # posts + authors + comment counts + tags
        trpc.query("post.list")


def test_a_rolled_back_write_bumps_nothing(
    trpc, author, django_capture_on_commit_callbacks, django_assert_num_queries
):
    post = PostFactory(author=author)
    trpc.query("post.list")
    trpc.query("comment.list", {"postId": str(post.id)})
    channels = (
        "/subscriptions/posts",
        "/subscriptions/comments/*",
        f"/subscriptions/comments/{post.id}",
    )
    versions = shared_cache().get_many([version_key(channel) for channel in channels])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.create_post(author=author, title="Never", published=True)
        services.create_comment(author=author, post=post, content="Never")
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert shared_cache().get_many([version_key(channel) for channel in channels]) == versions
    with django_assert_num_queries(0):
        assert [item["id"] for item in trpc.query("post.list").data["items"]] == [str(post.id)]
        assert trpc.query("comment.list", {"postId": str(post.id)}).data == []
