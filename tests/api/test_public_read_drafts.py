"""Drafts never enter the public read cache, and a signed-in author's drafts are never served
from it (blog.read_cache)."""

import orjson
import pytest
from django.contrib.auth.models import AnonymousUser

from blog import read_cache
from realtime.read_versions import shared_cache
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_READ_CACHE_SECONDS = 60


def cached_ids(limit: int = 20) -> list[str]:
    entry = shared_cache().get(f"public_read.v3.post_list.{limit}")
    json, _annotations = entry[1]
    return [item["id"] for item in orjson.loads(json)["items"]]


def test_a_draft_is_not_in_the_cached_first_page(trpc, author):
    published = PostFactory(author=author)
    PostFactory(author=author, published=False)
    assert [item["id"] for item in trpc.query("post.list").data["items"]] == [str(published.id)]
    assert cached_ids() == [str(published.id)]


def test_an_authors_drafts_are_neither_served_from_nor_stored_in_the_cache(as_user, trpc, author):
    PostFactory(author=author)
    draft = PostFactory(author=author, published=False)
    trpc.query("post.list")  # the public first page is cached
    caller = as_user(author)
    drafts = caller.query("post.list", {"published": False}).data["items"]
    assert [item["id"] for item in drafts] == [str(draft.id)]
    assert str(draft.id) not in cached_ids()
    assert str(draft.id) not in [item["id"] for item in trpc.query("post.list").data["items"]]


def test_a_later_page_and_an_author_filter_are_not_cached(trpc, author):
    posts = PostFactory.create_batch(3, author=author)
    first = trpc.query("post.list", {"limit": 2}).data
    trpc.query("post.list", {"limit": 2, "cursor": first["nextCursor"]})
    trpc.query("post.list", {"limit": 3, "authorId": str(author.id)})
    assert shared_cache().get("public_read.v3.post_list.3") is None
    assert len(cached_ids(2)) == 2
    assert len(posts) == 3


def test_a_drafts_comments_are_shown_to_its_author_and_never_stored(as_user, trpc, author, editor):
    draft = PostFactory(author=author, published=False)
    CommentFactory(post=draft, content="Written before it was unpublished")
    for viewer in (author, editor):
        answer = as_user(viewer).query("comment.list", {"postId": str(draft.id)})
        assert [comment["content"] for comment in answer.data] == [
            "Written before it was unpublished"
        ]
    assert trpc.query("comment.list", {"postId": str(draft.id)}).code == "NOT_FOUND"
    assert shared_cache().get(f"public_read.v3.comment_list.{draft.id}") is None


def test_a_published_posts_comments_are_the_same_for_every_viewer(author, stranger, settings):
    """Comment threads hold nothing of their viewer: one cached entry serves everyone."""
    settings.PUBLIC_READ_CACHE_SECONDS = 0  # each viewer's answer built from the database
    post = PostFactory(author=author)
    CommentFactory.create_batch(3, post=post)
    answers = [
        read_cache.comment_list(viewer=viewer, post_id=post.id).value
        for viewer in (AnonymousUser(), author, stranger)
    ]
    assert [[thread.json for thread in answer] for answer in answers[1:]] == [
        [thread.json for thread in answers[0]]
    ] * 2


def test_the_first_page_is_the_same_for_every_viewer(author, stranger, settings):
    """A page of published posts holds nothing of its viewer, not even the author's drafts:
    one cached entry serves everyone."""
    settings.PUBLIC_READ_CACHE_SECONDS = 0  # each viewer's answer built from the database
    PostFactory.create_batch(2, author=author)
    PostFactory(author=author, published=False)
    answers = [
        read_cache.post_list(viewer=viewer, limit=20).value["items"].json
        for viewer in (AnonymousUser(), author, stranger)
    ]
    assert answers[1:] == [answers[0]] * 2
